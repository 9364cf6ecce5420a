/* The findings log. The log is the product's main output and its record of
 * what was done: a report counts as done once its group of lines is in the
 * log, which is why a failed write is undone rather than left half-written,
 * and why recovery reads the log to learn which claimed files were already
 * reported before the crash. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "ogid/ogid_error.h"
#include "ogid_findings.h"

struct ogid_findings_log {
    char *path;
    int fd;
    enum ogid_fsync_policy fsync;
};

void ogid_timestamp(char out[32])
{
    struct timeval tv;
    struct tm tm;

    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    /* strftime cannot print milliseconds; append them. */
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(tv.tv_usec / 1000) % 1000);
}

/* Appends one object as a line to a growing buffer. */
static int put_line(json_t *obj, char **buf, size_t *len, size_t *cap)
{
    char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    size_t n;

    if (s == NULL)
        return OGID_ENOMEM;
    n = strlen(s);
    if (*len + n + 2 > *cap) {
        size_t ncap = (*cap + n + 2) * 2;
        char *nb = realloc(*buf, ncap);
        if (nb == NULL) {
            free(s);
            return OGID_ENOMEM;
        }
        *buf = nb;
        *cap = ncap;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[(*len)++] = '\n';
    (*buf)[*len] = '\0';
    free(s);
    return 0;
}

static void copy_field(json_t *dst, json_t *src, const char *key, int null_if_absent)
{
    json_t *v = json_object_get(src, key);

    if (v != NULL)
        json_object_set(dst, key, v);
    else if (null_if_absent)
        json_object_set_new(dst, key, json_null());
}

int ogid_findings_format(json_t *result, const char *job, char **buf, size_t *len)
{
    static const char *const finding_keys[] = {"rule", "code", "severity", "message",
                                               "where", "expected", "actual", "basis"};
    static const char *const report_keys[] = {"status", "form", "counts", "ms", "error"};
    json_t *findings = json_object_get(result, "findings");
    char ts[32], *out = NULL;
    size_t n = 0, cap = 0;
    int rc = OGID_ENOMEM;

    ogid_timestamp(ts);
    for (size_t i = 0; i <= json_array_size(findings); i++) {
        int is_report = i == json_array_size(findings);
        json_t *src = is_report ? result : json_array_get(findings, i);
        json_t *line = json_object();

        if (line == NULL)
            goto fail;
        json_object_set_new(line, "ts", json_string(ts));
        json_object_set_new(line, "event", json_string(is_report ? "report" : "finding"));
        copy_field(line, result, "report", 1);
        copy_field(line, result, "file", 1);
        copy_field(line, result, "agency", 1);
        copy_field(line, result, "year", 1);
        if (is_report) {
            for (size_t k = 0; k < sizeof report_keys / sizeof report_keys[0]; k++)
                copy_field(line, result, report_keys[k], k < 2);
            if (job != NULL)
                json_object_set_new(line, "job", json_string(job));
        } else {
            for (size_t k = 0; k < sizeof finding_keys / sizeof finding_keys[0]; k++)
                copy_field(line, src, finding_keys[k], 0);
        }
        rc = put_line(line, &out, &n, &cap);
        json_decref(line);
        if (rc != 0)
            goto fail;
    }
    *buf = out;
    *len = n;
    return 0;
fail:
    free(out);
    return OGID_ENOMEM;
}

char *ogid_findings_daemon_line(const char *what, const char *message, json_t *extra,
                                size_t *len)
{
    char ts[32], *out = NULL;
    size_t n = 0, cap = 0;
    json_t *line;
    const char *key;
    json_t *v;

    ogid_timestamp(ts);
    line = json_pack("{s:s, s:s, s:s, s:s}", "ts", ts, "event", "daemon", "what", what,
                     "message", message);
    if (line == NULL)
        return NULL;
    if (extra != NULL) {
        json_object_foreach(extra, key, v) json_object_set(line, key, v);
    }
    if (put_line(line, &out, &n, &cap) != 0) {
        free(out);
        out = NULL;
    }
    json_decref(line);
    *len = n;
    return out;
}

int ogid_findings_open(const char *path, enum ogid_fsync_policy fsync,
                       struct ogid_findings_log **out)
{
    struct ogid_findings_log *log = calloc(1, sizeof *log);

    if (log == NULL || (log->path = strdup(path)) == NULL) {
        free(log);
        return OGID_ENOMEM;
    }
    log->fsync = fsync;
    log->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (log->fd < 0) {
        int e = errno;
        free(log->path);
        free(log);
        errno = e;
        return OGID_EIO;
    }
    *out = log;
    return 0;
}

void ogid_findings_close(struct ogid_findings_log *log)
{
    if (log == NULL)
        return;
    if (log->fd >= 0)
        close(log->fd);
    free(log->path);
    free(log);
}

int ogid_findings_append(struct ogid_findings_log *log, const char *buf, size_t len)
{
    struct stat st;
    size_t done = 0;
    off_t before;
    int e;

    if (fstat(log->fd, &st) != 0)
        return OGID_EIO;
    before = st.st_size;
    while (done < len) {
        ssize_t n = write(log->fd, buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            goto undo;
        done += (size_t)n;
        /* A short write of a regular file means the disk is full or the
         * quota reached; the next write says which. */
    }
    if (log->fsync == OGID_FSYNC_REPORT && fdatasync(log->fd) != 0)
        goto undo;
    return 0;
undo:
    e = errno;
    if (e == 0)
        e = EIO;
    /* Cut back what this group wrote, but only where nobody else appended
     * meanwhile (another daemon sharing the log). */
    if (done > 0 && fstat(log->fd, &st) == 0 && st.st_size == before + (off_t)done)
        (void)ftruncate(log->fd, before);
    errno = e;
    return OGID_EIO;
}

int ogid_findings_reopen(struct ogid_findings_log *log)
{
    int fd = open(log->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

    if (fd < 0)
        return OGID_EIO;
    close(log->fd);
    log->fd = fd;
    return 0;
}

/* 1 when the line [s, e) is a complete JSON object ending a group. */
static int ends_group(const char *s, size_t n)
{
    json_t *obj;
    const char *ev;
    int ok;

    if (n < 2 || s[0] != '{')
        return 0;
    obj = json_loadb(s, n, 0, NULL);
    if (obj == NULL)
        return 0;
    ev = json_string_value(json_object_get(obj, "event"));
    ok = ev != NULL && (strcmp(ev, "report") == 0 || strcmp(ev, "daemon") == 0);
    json_decref(obj);
    return ok;
}

long ogid_findings_repair(const char *path)
{
    const off_t window = 16 << 20;
    struct stat st;
    char *buf = NULL;
    off_t start, keep = -1;
    long removed;
    int fd = open(path, O_RDWR | O_CLOEXEC);

    if (fd < 0)
        return errno == ENOENT ? 0 : OGID_EIO;
    if (fstat(fd, &st) != 0)
        goto fail;
    if (st.st_size == 0) {
        close(fd);
        return 0;
    }
    /* Groups are small; the last whole one ends within the last window. */
    start = st.st_size > window ? st.st_size - window : 0;
    buf = malloc((size_t)(st.st_size - start) + 1);
    if (buf == NULL)
        goto fail;
    if (pread(fd, buf, (size_t)(st.st_size - start), start) != st.st_size - start)
        goto fail;
    buf[st.st_size - start] = '\0';
    /* Walk lines backwards from the end: a line counts only if a newline
     * ends it. */
    for (off_t end = st.st_size - start; end > 0 && keep < 0;) {
        off_t nl = end - 1;
        if (buf[nl] != '\n') {
            while (nl > 0 && buf[nl] != '\n')
                nl--;
            if (buf[nl] != '\n')
                break;
            end = nl + 1;
            continue;
        }
        off_t ls = nl;
        while (ls > 0 && buf[ls - 1] != '\n')
            ls--;
        if (ends_group(buf + ls, (size_t)(nl - ls)))
            keep = start + nl + 1;
        end = ls;
    }
    if (keep < 0) {
        if (start > 0) {
            /* No group end in the window: leave the file alone. */
            free(buf);
            close(fd);
            return 0;
        }
        keep = 0;
    }
    removed = (long)(st.st_size - keep);
    if (removed > 0 && (ftruncate(fd, keep) != 0 || fsync(fd) != 0))
        goto fail;
    free(buf);
    close(fd);
    return removed;
fail:
    free(buf);
    close(fd);
    return OGID_EIO;
}

int ogid_findings_jobs(const char *path, json_t *jobs)
{
    FILE *f = fopen(path, "re");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;

    if (f == NULL)
        return errno == ENOENT ? 0 : OGID_EIO;
    while ((n = getline(&line, &cap, f)) > 0) {
        json_t *obj;
        const char *job;

        /* Cheap filter first: only report lines carry a job. */
        if (strstr(line, "\"job\"") == NULL || strstr(line, "\"event\":\"report\"") == NULL)
            continue;
        obj = json_loadb(line, (size_t)n, 0, NULL);
        job = json_string_value(json_object_get(obj, "job"));
        if (job != NULL)
            json_object_set(jobs, job, obj);
        json_decref(obj);
    }
    free(line);
    fclose(f);
    return 0;
}
