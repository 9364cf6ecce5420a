/* The spool: incoming/ (where users drop files), work/ (claimed, in
 * progress), done/ and failed/ (with NAME.error beside a failed file).
 *
 * A claim is an atomic rename from incoming/ into work/ under a new job id,
 * so two daemons sharing one spool never take the same file. Each daemon
 * instance holds an exclusive lock on work/.lock-<instance>; files in work/
 * whose instance lock is free belong to a daemon that died, and are taken
 * again at start-up. */
#ifndef OGID_SPOOL_H
#define OGID_SPOOL_H

#include <stddef.h>
#include <stdint.h>

struct ogid_spool;

/* A file found in incoming/ or work/. */
struct ogid_spool_entry {
    char *name;  /* as dropped */
    char *job;   /* claim id, for files in work/; else NULL */
};

struct ogid_spool_list {
    struct ogid_spool_entry *v;
    size_t n, cap;
};

/* Creates the folders under root when missing, and this instance's lock.
 * Returns 0, OGID_EIO (errno set) or OGID_ENOMEM. */
int ogid_spool_open(const char *root, struct ogid_spool **out);
void ogid_spool_close(struct ogid_spool *sp);

const char *ogid_spool_incoming(const struct ogid_spool *sp);

/* 1 when a name is one to leave alone: dot-files and temporary names of
 * writers that write then rename (*.tmp, *.part, *~, ...). */
int ogid_spool_ignored(const char *name);

/* Lists the files in incoming/ that have settled (unchanged for settle_ms,
 * judged by their mtime and ctime), in name order. *wait_ms is set to the
 * time until the next unsettled file settles, or 0 when there is none.
 * Special files (links, FIFOs, devices) are listed at once: they are taken
 * only to be refused. Returns 0 or a negative code. */
int ogid_spool_scan(struct ogid_spool *sp, uint32_t settle_ms,
                    struct ogid_spool_list *out, uint32_t *wait_ms);

/* Claims incoming/<name>: renames it into work/ under a new job id (written
 * into job[64]) and sets *path (caller frees) to its path in work/. Returns
 * 0, OGID_ENOENT when another daemon took it first, or OGID_EIO. */
int ogid_spool_claim(struct ogid_spool *sp, const char *name, char job[64], char **path);

/* The path in work/ of a claimed file; caller frees. */
char *ogid_spool_work_path(const struct ogid_spool *sp, const char *job, const char *name);

/* Moves a claimed file to done/ or, when reason is not NULL, to failed/ with
 * NAME.error holding the reason. An existing file of the same name is never
 * overwritten: the new one gets the job id in its name. Returns 0 or
 * OGID_EIO. */
int ogid_spool_finish(struct ogid_spool *sp, const char *job, const char *name,
                      const char *reason);

/* Lists the files in work/ left by dead instances, and takes over their
 * locks so that no other daemon recovers them too. */
int ogid_spool_orphans(struct ogid_spool *sp, struct ogid_spool_list *out);

void ogid_spool_list_clear(struct ogid_spool_list *l);

#endif
