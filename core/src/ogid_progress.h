/* Where a worker is, shared with the daemon through a small memory page.
 *
 * The daemon creates the page (memfd) for each worker and passes it as fd 3.
 * Before each rule the worker writes the job and the rule id there, with no
 * system call. When the worker passes its deadline and is killed, the daemon
 * reads the page to learn which rule was running: it then checks the report
 * again in a new worker with that rule skipped, so one stuck rule costs only
 * its own findings. */
#ifndef OGID_PROGRESS_H
#define OGID_PROGRESS_H

#define OGID_PROGRESS_FD 3

struct ogid_progress {
    char job[64];   /* the job being checked, "" when idle */
    char rule[128]; /* the rule running, "" outside the rules */
};

/* In the worker: maps fd 3 when the daemon passed one; NULL otherwise. */
struct ogid_progress *ogid_progress_attach(void);

/* In the daemon: a new page; *fd is to be passed to the worker and then
 * closed. NULL on failure. Unmap with ogid_progress_free. */
struct ogid_progress *ogid_progress_new(int *fd);
void ogid_progress_free(struct ogid_progress *p);

/* Copies s into a field of n bytes, always terminated. */
void ogid_progress_set(char *field, size_t n, const char *s);

#endif
