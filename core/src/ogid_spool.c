/* The spool folders. All moves are rename() within one file system, so a
 * file is always wholly in one folder; the job id in a work/ file's name ties
 * it to its line in the findings log across a crash. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ogid/ogid_error.h"
#include "ogid_spool.h"

#define MAX_DEAD_LOCKS 256

struct ogid_spool {
    char root[PATH_MAX];
    char incoming[PATH_MAX], work[PATH_MAX], done[PATH_MAX], failed[PATH_MAX];
    char instance[48];
    int lock_fd;
    unsigned long seq;
    int dead_fds[MAX_DEAD_LOCKS]; /* locks taken over from dead instances */
    size_t n_dead;
};

static int mkdir_p(const char *path)
{
    char tmp[PATH_MAX];
    size_t n = strlen(path);

    if (n == 0 || n >= sizeof tmp)
        return -1;
    memcpy(tmp, path, n + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

int ogid_spool_open(const char *root, struct ogid_spool **out)
{
    struct ogid_spool *sp = calloc(1, sizeof *sp);
    char lock[PATH_MAX + 64];
    struct tm tm;
    time_t now = time(NULL);
    unsigned rnd;

    if (sp == NULL)
        return OGID_ENOMEM;
    sp->lock_fd = -1;
    snprintf(sp->root, sizeof sp->root, "%s", root);
    snprintf(sp->incoming, sizeof sp->incoming, "%s/incoming", root);
    snprintf(sp->work, sizeof sp->work, "%s/work", root);
    snprintf(sp->done, sizeof sp->done, "%s/done", root);
    snprintf(sp->failed, sizeof sp->failed, "%s/failed", root);
    if (mkdir_p(sp->incoming) || mkdir_p(sp->work) || mkdir_p(sp->done) ||
        mkdir_p(sp->failed))
        goto fail;
    gmtime_r(&now, &tm);
    /* Time and pid make the instance readable; the random part keeps two
     * instances of one process (tests, a restart within a second after pid
     * reuse) apart. */
    if (getrandom(&rnd, sizeof rnd, 0) != sizeof rnd)
        rnd = (unsigned)now ^ (unsigned)getpid();
    snprintf(sp->instance, sizeof sp->instance, "%04d%02d%02dT%02d%02d%02d-%ld%04x",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
             tm.tm_sec, (long)getpid(), rnd & 0xffff);
    snprintf(lock, sizeof lock, "%s/.lock-%s", sp->work, sp->instance);
    sp->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (sp->lock_fd < 0 || flock(sp->lock_fd, LOCK_EX | LOCK_NB) != 0)
        goto fail;
    *out = sp;
    return 0;
fail:
    if (sp->lock_fd >= 0)
        close(sp->lock_fd);
    free(sp);
    return OGID_EIO;
}

/* Removes the lock files of dead instances whose files are all finished, and
 * our own, so work/ does not fill with stale locks. */
static void unlink_lock_fd(struct ogid_spool *sp, int fd)
{
    char link[64], path[PATH_MAX];
    ssize_t n;

    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    n = readlink(link, path, sizeof path - 1);
    if (n > 0) {
        path[n] = '\0';
        unlink(path);
    }
    close(fd);
}

void ogid_spool_close(struct ogid_spool *sp)
{
    if (sp == NULL)
        return;
    for (size_t i = 0; i < sp->n_dead; i++)
        unlink_lock_fd(sp, sp->dead_fds[i]);
    if (sp->lock_fd >= 0)
        unlink_lock_fd(sp, sp->lock_fd);
    free(sp);
}

const char *ogid_spool_incoming(const struct ogid_spool *sp)
{
    return sp->incoming;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int ogid_spool_ignored(const char *name)
{
    static const char *const temp[] = {".tmp", ".temp", ".part", ".partial", ".swp",
                                       ".crdownload", ".download", ".filepart", "~"};

    if (name[0] == '.' || name[0] == '#' || name[0] == '\0')
        return 1;
    for (size_t i = 0; i < sizeof temp / sizeof temp[0]; i++)
        if (ends_with(name, temp[i]))
            return 1;
    return 0;
}

static int list_add(struct ogid_spool_list *l, const char *name, const char *job)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 64;
        struct ogid_spool_entry *nv = realloc(l->v, ncap * sizeof *nv);
        if (nv == NULL)
            return OGID_ENOMEM;
        l->v = nv;
        l->cap = ncap;
    }
    l->v[l->n].name = strdup(name);
    l->v[l->n].job = job ? strdup(job) : NULL;
    if (l->v[l->n].name == NULL || (job && l->v[l->n].job == NULL)) {
        free(l->v[l->n].name);
        free(l->v[l->n].job);
        return OGID_ENOMEM;
    }
    l->n++;
    return 0;
}

void ogid_spool_list_clear(struct ogid_spool_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].name);
        free(l->v[i].job);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct ogid_spool_entry *)a)->name,
                  ((const struct ogid_spool_entry *)b)->name);
}

static int64_t ms_of(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

int ogid_spool_scan(struct ogid_spool *sp, uint32_t settle_ms,
                    struct ogid_spool_list *out, uint32_t *wait_ms)
{
    DIR *d = opendir(sp->incoming);
    struct dirent *de;
    struct timespec now;
    int64_t min_wait = -1;
    int rc = 0;

    *wait_ms = 0;
    if (d == NULL)
        return OGID_EIO;
    clock_gettime(CLOCK_REALTIME, &now);
    while ((de = readdir(d)) != NULL) {
        struct stat st;
        int64_t changed, age;

        if (ogid_spool_ignored(de->d_name))
            continue;
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue; /* gone meanwhile */
        if (S_ISDIR(st.st_mode))
            continue;
        if (S_ISREG(st.st_mode)) {
            /* ctime too: a file copied with its old mtime kept (cp -p) has a
             * fresh ctime while it is being written. */
            changed = ms_of(&st.st_mtim) > ms_of(&st.st_ctim) ? ms_of(&st.st_mtim)
                                                              : ms_of(&st.st_ctim);
            age = ms_of(&now) - changed;
            if (age >= 0 && age < (int64_t)settle_ms) {
                int64_t w = (int64_t)settle_ms - age;
                if (min_wait < 0 || w < min_wait)
                    min_wait = w;
                continue;
            }
        }
        if ((rc = list_add(out, de->d_name, NULL)) != 0)
            break;
    }
    closedir(d);
    if (out->n > 1)
        qsort(out->v, out->n, sizeof out->v[0], by_name);
    *wait_ms = min_wait < 0 ? 0 : (uint32_t)min_wait;
    return rc;
}

char *ogid_spool_work_path(const struct ogid_spool *sp, const char *job, const char *name)
{
    char *p;
    return asprintf(&p, "%s/%s.%s", sp->work, job, name) < 0 ? NULL : p;
}

int ogid_spool_claim(struct ogid_spool *sp, const char *name, char job[64], char **path)
{
    char src[PATH_MAX + 256];
    char *dst;

    snprintf(job, 64, "%s-%lu", sp->instance, ++sp->seq);
    snprintf(src, sizeof src, "%s/%s", sp->incoming, name);
    dst = ogid_spool_work_path(sp, job, name);
    if (dst == NULL)
        return OGID_ENOMEM;
    if (rename(src, dst) != 0) {
        int e = errno;
        free(dst);
        errno = e;
        return e == ENOENT ? OGID_ENOENT : OGID_EIO;
    }
    *path = dst;
    return 0;
}

/* Renames without replacing; on a clash uses NAME with the job id before
 * the extension. */
static int move_noclobber(const char *src, const char *dir, const char *job,
                          const char *name, char *final, size_t flen)
{
    snprintf(final, flen, "%s/%s", dir, name);
    if (renameat2(AT_FDCWD, src, AT_FDCWD, final, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EEXIST)
        return -1;
    const char *dot = strrchr(name, '.');
    if (dot == NULL || dot == name)
        snprintf(final, flen, "%s/%s.%s", dir, name, job);
    else
        snprintf(final, flen, "%s/%.*s.%s%s", dir, (int)(dot - name), name, job, dot);
    return renameat2(AT_FDCWD, src, AT_FDCWD, final, RENAME_NOREPLACE);
}

static int write_error_file(const char *path, const char *job, const char *reason)
{
    char tmp[PATH_MAX + 512];
    FILE *f;

    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    f = fopen(tmp, "we");
    if (f == NULL)
        return -1;
    fprintf(f, "%s\njob: %s\n", reason, job);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        fclose(f);
        unlink(tmp);
        return -1;
    }
    fclose(f);
    return rename(tmp, path);
}

int ogid_spool_finish(struct ogid_spool *sp, const char *job, const char *name,
                      const char *reason)
{
    char final[PATH_MAX + 128], err[PATH_MAX + 140];
    char *src = ogid_spool_work_path(sp, job, name);
    int rc;

    if (src == NULL)
        return OGID_ENOMEM;
    rc = move_noclobber(src, reason ? sp->failed : sp->done, job, name, final,
                        sizeof final);
    free(src);
    if (rc != 0)
        return OGID_EIO;
    if (reason != NULL) {
        snprintf(err, sizeof err, "%s.error", final);
        if (write_error_file(err, job, reason) != 0)
            return OGID_EIO;
    }
    return 0;
}

/* The instance part of a job id "<instance>-<seq>". */
static int job_instance(const char *job, char *out, size_t len)
{
    const char *dash = strrchr(job, '-');

    if (dash == NULL || (size_t)(dash - job) >= len)
        return -1;
    memcpy(out, job, (size_t)(dash - job));
    out[dash - job] = '\0';
    return 0;
}

/* Unlinks the lock files of dead instances that left no file in work/. */
static void remove_stale_locks(struct ogid_spool *sp, const struct ogid_spool_list *taken)
{
    DIR *d = opendir(sp->work);
    struct dirent *de;

    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        const char *inst = de->d_name + 6;
        int fd, used = 0;

        if (strncmp(de->d_name, ".lock-", 6) != 0 || strcmp(inst, sp->instance) == 0)
            continue;
        for (size_t i = 0; i < taken->n && !used; i++) {
            char other[48];
            used = job_instance(taken->v[i].job, other, sizeof other) == 0 &&
                   strcmp(other, inst) == 0;
        }
        if (used)
            continue;
        fd = openat(dirfd(d), de->d_name, O_RDWR | O_CLOEXEC);
        if (fd < 0)
            continue;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            unlinkat(dirfd(d), de->d_name, 0);
        close(fd);
    }
    closedir(d);
}

int ogid_spool_orphans(struct ogid_spool *sp, struct ogid_spool_list *out)
{
    DIR *d = opendir(sp->work);
    struct dirent *de;
    struct ogid_spool_list live = {0}; /* instances seen alive */
    int rc = 0;

    if (d == NULL)
        return OGID_EIO;
    while ((de = readdir(d)) != NULL) {
        char job[64], inst[48], lock[PATH_MAX + 64];
        const char *dot = strchr(de->d_name, '.');
        int fd, mine = 0, alive = 0;

        if (de->d_name[0] == '.' || dot == NULL || (size_t)(dot - de->d_name) >= sizeof job)
            continue;
        memcpy(job, de->d_name, (size_t)(dot - de->d_name));
        job[dot - de->d_name] = '\0';
        if (job_instance(job, inst, sizeof inst) != 0 || strcmp(inst, sp->instance) == 0)
            continue;
        for (size_t i = 0; i < live.n; i++)
            if (strcmp(live.v[i].name, inst) == 0)
                alive = 1;
        if (alive)
            continue;
        snprintf(lock, sizeof lock, "%s/.lock-%s", sp->work, inst);
        /* Have we already taken this instance's lock in this call? */
        for (size_t i = 0; i < out->n; i++) {
            char other[48];
            if (job_instance(out->v[i].job, other, sizeof other) == 0 &&
                strcmp(other, inst) == 0)
                mine = 1;
        }
        if (!mine) {
            fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
            if (fd < 0)
                continue;
            if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
                close(fd); /* its daemon is alive: not ours to take */
                if ((rc = list_add(&live, inst, NULL)) != 0)
                    break;
                continue;
            }
            if (sp->n_dead < MAX_DEAD_LOCKS)
                sp->dead_fds[sp->n_dead++] = fd;
            else
                close(fd);
        }
        if ((rc = list_add(out, dot + 1, job)) != 0)
            break;
    }
    closedir(d);
    ogid_spool_list_clear(&live);
    if (out->n > 1)
        qsort(out->v, out->n, sizeof out->v[0], by_name);
    if (rc == 0)
        remove_stale_locks(sp, out);
    return rc;
}
