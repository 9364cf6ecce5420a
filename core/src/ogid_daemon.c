/* The daemon's event loop. It only watches, claims, dispatches, writes the
 * log and moves files; parsing and rules run in worker processes, so a
 * report that crashes a parser or a rule that hangs costs one worker, never
 * the daemon.
 *
 * Watching is level-triggered: inotify events (through uv_fs_event) only say
 * "look again". libuv drops inotify's queue-overflow event and does not tell
 * when a writer closes a file, so the truth is always a scan of incoming/: at
 * start-up, shortly after any event (debounced), when a file is due to have
 * settled, and on a periodic timer.
 *
 * Exactly once: a file's report counts as done when its group of lines is
 * in the log; only then is the file moved out of work/. After a crash, work/
 * files of dead instances are looked up in the log by their job id: a file
 * whose report line is there is only moved on, any other is checked again,
 * and a torn tail of the log is cut off before anything is appended. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uv.h>

#include "ogid/ogid_error.h"
#include "ogid/ogid_log.h"
#include "ogid/ogid_version.h"
#include "ogid_daemon.h"
#include "ogid_findings.h"
#include "ogid_paths.h"
#include "ogid_pipeline.h"
#include "ogid_progress.h"
#include "ogid_spool.h"

#define MAX_WORKERS 256
#define MAX_RESULT_BYTES (64u << 20)
#define RETRY_MIN_MS 100
#define RETRY_MAX_MS 30000
/* A report whose rules overrun the deadline is checked again with the
 * stuck rule skipped, at most this many times. */
#define MAX_SKIPPED_RULES 3
/* Folders of rules watched for changes (inotify is not recursive). */
#define MAX_RULE_WATCHES 256
#define MAX_RULE_DEPTH 8

struct daemon;

struct job {
    struct job *next;  /* in the retry queue */
    char id[64];
    char *name;
    char *path;
    char *skip;        /* comma-separated ids of rules to skip, or NULL */
    unsigned n_skip;
};

struct worker {
    struct daemon *d;
    size_t slot;
    unsigned generation;
    uv_process_t proc;
    uv_pipe_t in, out;
    uv_timer_t deadline;
    struct ogid_progress *progress;
    int open_handles;
    int exited, eof, finalised;
    int64_t exit_status;
    int term_signal;
    int timed_out;
    int stdin_closed;
    /* Set when the worker has loaded its plugins, forms and rules and says
     * so: the deadline of a report counts from then, not from the start. */
    int ready;
    struct job *job;
    char *buf;
    size_t len, cap;
    uint64_t started;
};

/* A log group that could not be written yet (disk full): kept in order and
 * retried with back-off; its file stays in work/ meanwhile. */
struct pending {
    struct pending *next;
    char *lines;
    size_t len;
    char job[64];
    char *name;
    char *reason; /* NULL: done/, else failed/ */
};

struct daemon {
    uv_loop_t *loop;
    const struct ogid_daemon_options *opt;
    struct ogid_config *cfg;
    struct ogid_spool *spool;
    struct ogid_findings_log *log;
    uv_fs_event_t watch;
    uv_timer_t debounce, rescan, settle, retry, respawn, rules_changed;
    uv_fs_event_t *rule_watches[MAX_RULE_WATCHES];
    size_t n_rule_watches;
    uv_signal_t sig[4];
    struct worker *workers[MAX_WORKERS];
    size_t n_workers;
    uint64_t last_spawn[MAX_WORKERS];
    struct ogid_spool_list candidates;
    size_t next_candidate;
    struct ogid_spool_list recovered;
    size_t next_recovered;
    struct job *retry_head; /* jobs to check again, before anything new */
    struct pending *pending_head, *pending_tail;
    uint32_t backoff_ms;
    unsigned generation;
    int stopping;
    int watching;
    char **worker_argv;
};

static void pump(struct daemon *d);
static void reload(struct daemon *d);
static void watch_rules(struct daemon *d);
static void spawn_worker(struct daemon *d, size_t slot);
static void maybe_finish_stop(struct daemon *d);

static void job_free(struct job *j)
{
    if (j == NULL)
        return;
    free(j->name);
    free(j->path);
    free(j->skip);
    free(j);
}

/* --- the log ------------------------------------------------------------ */

static void write_daemon_line_extra(struct daemon *d, const char *what, const char *msg,
                                    const char *key, json_int_t value)
{
    json_t *extra = key ? json_pack("{s:I}", key, value) : NULL;
    size_t len;
    char *line = ogid_findings_daemon_line(what, msg, extra, &len);

    json_decref(extra);

    ogid_info("daemon", "%s: %s", what, msg);
    if (line == NULL)
        return;
    if (d->log == NULL || ogid_findings_append(d->log, line, len) != 0)
        ogid_error("log", "cannot write a daemon line to %s: %s", d->cfg->log_path,
                   strerror(errno));
    free(line);
}

static void write_daemon_line(struct daemon *d, const char *what, const char *msg)
{
    write_daemon_line_extra(d, what, msg, NULL, 0);
}

static void finish_file(struct daemon *d, const char *job, const char *name,
                        const char *reason)
{
    if (ogid_spool_finish(d->spool, job, name, reason) != 0)
        ogid_error("spool", "cannot move %s (job %s) out of work/: %s", name, job,
                   strerror(errno));
}

static void retry_cb(uv_timer_t *t);

/* Writes queued groups in order; stops at the first that still fails. */
static void flush_pending(struct daemon *d)
{
    while (d->pending_head != NULL) {
        struct pending *p = d->pending_head;

        if (ogid_findings_append(d->log, p->lines, p->len) != 0) {
            ogid_error("log", "cannot append to %s: %s; %s stays in work/, retrying in %u ms",
                       d->cfg->log_path, strerror(errno), p->name, d->backoff_ms);
            uv_timer_start(&d->retry, retry_cb, d->backoff_ms, 0);
            d->backoff_ms = d->backoff_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS
                                                              : d->backoff_ms * 2;
            return;
        }
        finish_file(d, p->job, p->name, p->reason);
        d->pending_head = p->next;
        if (d->pending_head == NULL)
            d->pending_tail = NULL;
        free(p->lines);
        free(p->name);
        free(p->reason);
        free(p);
    }
    d->backoff_ms = RETRY_MIN_MS;
}

static void retry_cb(uv_timer_t *t)
{
    struct daemon *d = t->data;

    flush_pending(d);
    if (d->pending_head == NULL) {
        pump(d);
        maybe_finish_stop(d);
    }
}

/* Logs a result and moves its file on; the file stays in work/ until its
 * lines are in the log. */
static void record_result(struct daemon *d, const char *job, const char *name,
                          json_t *result)
{
    struct pending *p = calloc(1, sizeof *p);
    const char *status = json_string_value(json_object_get(result, "status"));
    const char *error = json_string_value(json_object_get(result, "error"));

    if (p == NULL || ogid_findings_format(result, job, &p->lines, &p->len) != 0) {
        ogid_error("log", "out of memory formatting the findings of %s", name);
        free(p);
        return;
    }
    snprintf(p->job, sizeof p->job, "%s", job);
    p->name = strdup(name);
    if (status == NULL || strcmp(status, "checked") != 0)
        p->reason = strdup(error ? error : "failed");
    if (d->pending_tail)
        d->pending_tail->next = p;
    else
        d->pending_head = p;
    d->pending_tail = p;
    if (d->pending_head == p)
        flush_pending(d);
}

/* --- workers ------------------------------------------------------------ */

static void worker_handle_closed(uv_handle_t *h)
{
    struct worker *w = h->data;

    if (--w->open_handles == 0) {
        ogid_progress_free(w->progress);
        job_free(w->job);
        free(w->buf);
        free(w);
    }
}

static void close_stdin(struct worker *w)
{
    if (!w->stdin_closed) {
        w->stdin_closed = 1;
        uv_close((uv_handle_t *)&w->in, worker_handle_closed);
    }
}

static int worker_current(const struct daemon *d, const struct worker *w)
{
    return w->ready && w->generation == d->generation && !w->stdin_closed && !w->exited &&
           !w->eof;
}

/* After a deadline kill inside a rule: queues the job again with that rule
 * skipped. Returns 1 when queued (the job now belongs to the queue). */
static int retry_without_stuck_rule(struct worker *w)
{
    struct daemon *d = w->d;
    struct job *j = w->job;
    const char *rule;
    char *skip;

    if (w->progress == NULL || strcmp(w->progress->job, j->id) != 0)
        return 0;
    rule = w->progress->rule;
    if (rule[0] == '\0' || j->n_skip >= MAX_SKIPPED_RULES || d->stopping)
        return 0;
    if (asprintf(&skip, "%s%s%s", j->skip ? j->skip : "", j->skip ? "," : "", rule) < 0)
        return 0;
    ogid_warn("worker", "%s: rule %s passed the deadline; checking again without it",
              j->name, rule);
    free(j->skip);
    j->skip = skip;
    j->n_skip++;
    j->next = d->retry_head;
    d->retry_head = j;
    return 1;
}

/* Called once both the exit and the end of the worker's output are seen. */
static void worker_finalise(struct worker *w)
{
    struct daemon *d = w->d;
    char msg[256];

    if (w->finalised || !w->exited || !w->eof)
        return;
    w->finalised = 1;
    uv_timer_stop(&w->deadline);
    if (w->job != NULL && w->timed_out && retry_without_stuck_rule(w))
        w->job = NULL;
    if (w->job != NULL) {
        const char *code = w->timed_out ? "REPORT_TIMEOUT" : "WORKER_CRASHED";
        json_t *r;

        if (w->timed_out)
            snprintf(msg, sizeof msg, "报告处理超过时限（%u 毫秒），工作进程已被终止",
                     d->cfg->deadline_ms);
        else if (w->term_signal)
            snprintf(msg, sizeof msg, "工作进程处理该报告时异常退出（信号 %d）",
                     w->term_signal);
        else
            snprintf(msg, sizeof msg, "工作进程处理该报告时异常退出（退出码 %lld）",
                     (long long)w->exit_status);
        ogid_warn("worker", "%s: %s", w->job->name, code);
        r = ogid_result_failed(w->job->name, NULL,
                               w->timed_out ? "report timed out in its worker"
                                            : "the worker crashed on this report");
        if (r != NULL) {
            ogid_result_add_finding(r, "daemon.worker", code, "error", msg);
            record_result(d, w->job->id, w->job->name, r);
            json_decref(r);
        }
        job_free(w->job);
        w->job = NULL;
    } else if (!w->stdin_closed && w->exit_status == 78) {
        ogid_error("worker", "worker could not load its configuration; retrying");
    }
    if (d->workers[w->slot] == w)
        d->workers[w->slot] = NULL;
    close_stdin(w);
    uv_close((uv_handle_t *)&w->out, worker_handle_closed);
    uv_close((uv_handle_t *)&w->deadline, worker_handle_closed);
    uv_close((uv_handle_t *)&w->proc, worker_handle_closed);
    if (!d->stopping)
        spawn_worker(d, w->slot);
    maybe_finish_stop(d);
    pump(d);
}

static void exit_cb(uv_process_t *proc, int64_t status, int term_signal)
{
    struct worker *w = proc->data;

    w->exited = 1;
    w->exit_status = status;
    w->term_signal = term_signal;
    worker_finalise(w);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct worker *w = h->data;

    if (w->cap - w->len < 65536) {
        size_t ncap = w->cap ? w->cap * 2 : 131072;
        char *nb = w->cap < MAX_RESULT_BYTES ? realloc(w->buf, ncap) : NULL;
        if (nb == NULL) {
            buf->base = NULL;
            buf->len = 0;
            return;
        }
        w->buf = nb;
        w->cap = ncap;
    }
    buf->base = w->buf + w->len;
    buf->len = w->cap - w->len;
}

static void handle_line(struct worker *w, const char *line, size_t len)
{
    struct daemon *d = w->d;
    json_t *r = json_loadb(line, len, 0, NULL);
    const char *job = json_string_value(json_object_get(r, "job"));

    if (w->job == NULL && !w->ready && json_is_true(json_object_get(r, "ready"))) {
        w->ready = 1;
        json_decref(r);
        return;
    }
    if (w->job == NULL || job == NULL || strcmp(job, w->job->id) != 0) {
        ogid_error("worker", "unexpected output from worker %ld; killing it",
                   (long)w->proc.pid);
        uv_process_kill(&w->proc, SIGKILL);
        json_decref(r);
        return;
    }
    uv_timer_stop(&w->deadline);
    json_object_del(r, "job");
    record_result(d, w->job->id, w->job->name, r);
    json_decref(r);
    job_free(w->job);
    w->job = NULL;
    if (w->generation != d->generation || d->stopping)
        close_stdin(w);
}

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct worker *w = s->data;
    struct daemon *d = w->d;
    char *nl;

    if (n < 0) {
        if (n != UV_EOF || buf->base == NULL)
            uv_process_kill(&w->proc, SIGKILL);
        uv_read_stop(s);
        w->eof = 1;
        worker_finalise(w);
        return;
    }
    w->len += (size_t)n;
    while ((nl = memchr(w->buf, '\n', w->len)) != NULL) {
        size_t line_len = (size_t)(nl - w->buf);
        handle_line(w, w->buf, line_len);
        memmove(w->buf, nl + 1, w->len - line_len - 1);
        w->len -= line_len + 1;
    }
    pump(d);
    maybe_finish_stop(d);
}

static void deadline_cb(uv_timer_t *t)
{
    struct worker *w = t->data;

    if (w->job == NULL)
        return;
    ogid_warn("worker", "%s passed the deadline of %u ms; killing worker %ld",
              w->job->name, w->d->cfg->deadline_ms, (long)w->proc.pid);
    w->timed_out = 1;
    uv_process_kill(&w->proc, SIGKILL);
}

static void respawn_cb(uv_timer_t *t)
{
    struct daemon *d = t->data;

    for (size_t i = 0; i < d->n_workers; i++)
        if (d->workers[i] == NULL && !d->stopping)
            spawn_worker(d, i);
    pump(d);
}

static void spawn_worker(struct daemon *d, size_t slot)
{
    struct worker *w;
    uv_process_options_t po = {0};
    uv_stdio_container_t stdio[4];
    int progress_fd = -1;
    uint64_t now = uv_now(d->loop);
    int rc;

    /* A worker that dies at once (e.g. its rules stopped loading) is not
     * restarted in a tight loop. */
    if (d->last_spawn[slot] != 0 && now - d->last_spawn[slot] < 1000) {
        if (!uv_is_active((uv_handle_t *)&d->respawn))
            uv_timer_start(&d->respawn, respawn_cb, 1000, 0);
        return;
    }
    w = calloc(1, sizeof *w);
    if (w == NULL)
        return;
    w->d = d;
    w->slot = slot;
    w->generation = d->generation;
    uv_pipe_init(d->loop, &w->in, 0);
    uv_pipe_init(d->loop, &w->out, 0);
    uv_timer_init(d->loop, &w->deadline);
    w->in.data = w->out.data = w->deadline.data = w->proc.data = w;
    w->open_handles = 3;
    stdio[0].flags = UV_CREATE_PIPE | UV_READABLE_PIPE;
    stdio[0].data.stream = (uv_stream_t *)&w->in;
    stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    stdio[1].data.stream = (uv_stream_t *)&w->out;
    stdio[2].flags = UV_INHERIT_FD;
    stdio[2].data.fd = 2;
    w->progress = ogid_progress_new(&progress_fd);
    stdio[3].flags = progress_fd >= 0 ? UV_INHERIT_FD : UV_IGNORE;
    stdio[3].data.fd = progress_fd;
    po.file = ogid_paths_self();
    po.args = d->worker_argv;
    po.exit_cb = exit_cb;
    po.stdio = stdio;
    po.stdio_count = 4;
    d->last_spawn[slot] = now;
    rc = uv_spawn(d->loop, &w->proc, &po);
    if (progress_fd >= 0)
        close(progress_fd);
    if (rc != 0) {
        ogid_error("worker", "cannot start a worker: %s", uv_strerror(rc));
        w->exited = w->eof = w->finalised = 1;
        w->stdin_closed = 1;
        uv_close((uv_handle_t *)&w->in, worker_handle_closed);
        uv_close((uv_handle_t *)&w->out, worker_handle_closed);
        uv_close((uv_handle_t *)&w->deadline, worker_handle_closed);
        if (!uv_is_active((uv_handle_t *)&d->respawn))
            uv_timer_start(&d->respawn, respawn_cb, 1000, 0);
        return;
    }
    w->open_handles = 4;
    d->workers[slot] = w;
    uv_read_start((uv_stream_t *)&w->out, alloc_cb, read_cb);
}

static void write_done_cb(uv_write_t *req, int status)
{
    free(req->data);
    free(req);
}

static int dispatch(struct worker *w, struct job *j)
{
    uv_write_t *req = malloc(sizeof *req);
    char *line = NULL;
    uv_buf_t buf;
    int n;

    n = asprintf(&line, "%s\t%s\t%s\t%s\n", j->id, j->path, j->name,
                 j->skip ? j->skip : "");
    if (req == NULL || n < 0) {
        free(req);
        return OGID_ENOMEM;
    }
    req->data = line;
    buf = uv_buf_init(line, (unsigned)n);
    if (uv_write(req, (uv_stream_t *)&w->in, &buf, 1, write_done_cb) != 0) {
        free(line);
        free(req);
        return OGID_EIO;
    }
    w->job = j;
    w->timed_out = 0;
    w->started = uv_now(w->d->loop);
    uv_timer_start(&w->deadline, deadline_cb, w->d->cfg->deadline_ms, 0);
    return 0;
}

/* --- the spool ---------------------------------------------------------- */

static void settle_cb(uv_timer_t *t);

static void scan(struct daemon *d)
{
    uint32_t wait_ms = 0;

    if (d->stopping)
        return;
    ogid_spool_list_clear(&d->candidates);
    d->next_candidate = 0;
    if (ogid_spool_scan(d->spool, d->cfg->settle_ms, &d->candidates, &wait_ms) != 0)
        ogid_error("spool", "cannot scan %s: %s", ogid_spool_incoming(d->spool),
                   strerror(errno));
    if (wait_ms > 0)
        uv_timer_start(&d->settle, settle_cb, wait_ms + 5, 0);
    pump(d);
}

static void settle_cb(uv_timer_t *t)
{
    scan(t->data);
}

static void debounce_cb(uv_timer_t *t)
{
    scan(t->data);
}

static void rescan_cb(uv_timer_t *t)
{
    scan(t->data);
}

static void watch_cb(uv_fs_event_t *h, const char *filename, int events, int status)
{
    struct daemon *d = h->data;

    if (status < 0)
        ogid_warn("watch", "watch error: %s; relying on the periodic scan",
                  uv_strerror(status));
    if (!uv_is_active((uv_handle_t *)&d->debounce))
        uv_timer_start(&d->debounce, debounce_cb, d->cfg->debounce_ms, 0);
}

/* The next file to check: first those recovered from work/, then settled
 * files from incoming/, claimed now. NULL when there is none. */
static struct job *next_job(struct daemon *d)
{
    if (d->retry_head != NULL) {
        struct job *j = d->retry_head;
        d->retry_head = j->next;
        j->next = NULL;
        return j;
    }
    while (d->next_recovered < d->recovered.n) {
        struct ogid_spool_entry *e = &d->recovered.v[d->next_recovered++];
        struct job *j = calloc(1, sizeof *j);
        if (j == NULL)
            return NULL;
        snprintf(j->id, sizeof j->id, "%s", e->job);
        j->name = strdup(e->name);
        j->path = ogid_spool_work_path(d->spool, e->job, e->name);
        return j;
    }
    while (d->next_candidate < d->candidates.n) {
        struct ogid_spool_entry *e = &d->candidates.v[d->next_candidate++];
        struct job *j = calloc(1, sizeof *j);
        int rc;

        if (j == NULL)
            return NULL;
        rc = ogid_spool_claim(d->spool, e->name, j->id, &j->path);
        if (rc == 0) {
            j->name = strdup(e->name);
            return j;
        }
        if (rc != OGID_ENOENT)
            ogid_error("spool", "cannot claim %s: %s", e->name, strerror(errno));
        free(j);
    }
    return NULL;
}

static void pump(struct daemon *d)
{
    if (d->stopping || d->pending_head != NULL)
        return;
    for (size_t i = 0; i < d->n_workers; i++) {
        struct worker *w = d->workers[i];
        char reason[512];
        struct job *j;
        int fd;

        if (w == NULL || w->job != NULL || !worker_current(d, w))
            continue;
        for (;;) {
            j = next_job(d);
            if (j == NULL)
                return;
            /* Links, FIFOs, devices, empty and oversized files are refused
             * here, without a worker and without reading them. */
            fd = ogid_open_report(j->path, d->cfg->max_bytes, reason, sizeof reason);
            if (fd >= 0) {
                close(fd);
                break;
            }
            json_t *r = ogid_result_failed(j->name, NULL, reason);
            if (r != NULL) {
                record_result(d, j->id, j->name, r);
                json_decref(r);
            }
            job_free(j);
            if (d->pending_head != NULL)
                return;
        }
        if (dispatch(w, j) != 0) {
            /* The worker is going away; the file stays in work/ and is
             * taken again by the next start-up. */
            ogid_error("worker", "cannot hand %s to a worker", j->name);
            job_free(j);
        }
    }
}

/* --- watching the rule folders ------------------------------------------ */

static void rules_changed_cb(uv_timer_t *t)
{
    struct daemon *d = t->data;

    if (!d->stopping) {
        ogid_info("rules", "a rule file changed; reloading");
        reload(d);
    }
}

static void rule_event_cb(uv_fs_event_t *h, const char *filename, int events, int status)
{
    struct daemon *d = h->data;

    /* Editors write a temporary file and rename it: wait until the folder
     * has been quiet for a moment, then reload once. */
    if (d->cfg->rule_reload_ms > 0 && !d->stopping)
        uv_timer_start(&d->rules_changed, rules_changed_cb, d->cfg->rule_reload_ms, 0);
}

static void free_handle_cb(uv_handle_t *h)
{
    free(h);
}

static void unwatch_rules(struct daemon *d)
{
    for (size_t i = 0; i < d->n_rule_watches; i++)
        uv_close((uv_handle_t *)d->rule_watches[i], free_handle_cb);
    d->n_rule_watches = 0;
}

static void watch_dir(struct daemon *d, const char *dir, int depth)
{
    uv_fs_event_t *h;
    DIR *dp;
    struct dirent *de;

    if (d->n_rule_watches >= MAX_RULE_WATCHES || depth > MAX_RULE_DEPTH)
        return;
    h = malloc(sizeof *h);
    if (h == NULL)
        return;
    uv_fs_event_init(d->loop, h);
    h->data = d;
    if (uv_fs_event_start(h, rule_event_cb, dir, 0) != 0) {
        uv_close((uv_handle_t *)h, free_handle_cb);
        return;
    }
    d->rule_watches[d->n_rule_watches++] = h;
    dp = opendir(dir);
    if (dp == NULL)
        return;
    while ((de = readdir(dp)) != NULL) {
        char sub[PATH_MAX];
        struct stat st;

        if (de->d_name[0] == '.')
            continue;
        if (snprintf(sub, sizeof sub, "%s/%s", dir, de->d_name) >= (int)sizeof sub)
            continue;
        if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode))
            watch_dir(d, sub, depth + 1);
    }
    closedir(dp);
}

/* Watches every folder under the rule paths (a rule file named directly:
 * its folder), so that an edited rule takes effect without a signal. */
static void watch_rules(struct daemon *d)
{
    unwatch_rules(d);
    if (d->cfg->rule_reload_ms == 0 || d->stopping)
        return;
    for (size_t i = 0; i < d->cfg->n_rule_paths; i++) {
        struct stat st;
        char dir[PATH_MAX];

        if (stat(d->cfg->rule_paths[i], &st) != 0)
            continue;
        snprintf(dir, sizeof dir, "%s", d->cfg->rule_paths[i]);
        if (!S_ISDIR(st.st_mode)) {
            char *slash = strrchr(dir, '/');
            if (slash == NULL)
                continue;
            *slash = '\0';
        }
        watch_dir(d, dir, 0);
    }
}

/* --- start, stop, reload ------------------------------------------------ */

static void close_daemon_handles(struct daemon *d)
{
    unwatch_rules(d);
    uv_handle_t *hs[] = {(uv_handle_t *)&d->rules_changed, (uv_handle_t *)&d->debounce,
                         (uv_handle_t *)&d->rescan,
                         (uv_handle_t *)&d->settle,   (uv_handle_t *)&d->retry,
                         (uv_handle_t *)&d->respawn,  (uv_handle_t *)&d->sig[0],
                         (uv_handle_t *)&d->sig[1],   (uv_handle_t *)&d->sig[2],
                         (uv_handle_t *)&d->sig[3]};

    for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++)
        if (!uv_is_closing(hs[i]))
            uv_close(hs[i], NULL);
    if (d->watching && !uv_is_closing((uv_handle_t *)&d->watch))
        uv_close((uv_handle_t *)&d->watch, NULL);
}

static void maybe_finish_stop(struct daemon *d)
{
    if (!d->stopping)
        return;
    for (size_t i = 0; i < d->n_workers; i++)
        if (d->workers[i] != NULL)
            return;
    if (d->pending_head != NULL && uv_is_active((uv_handle_t *)&d->retry))
        return; /* still trying to write; a second signal gives up */
    if (d->stopping == 1) {
        d->stopping = 2;
        write_daemon_line(d, "stop", "ogid stopped");
        close_daemon_handles(d);
    }
}

static void begin_stop(struct daemon *d, const char *why)
{
    if (d->stopping) {
        /* A second signal: stop retrying the log; work/ keeps the files. */
        uv_timer_stop(&d->retry);
        maybe_finish_stop(d);
        return;
    }
    d->stopping = 1;
    ogid_info("daemon", "%s: finishing the reports in flight", why);
    uv_timer_stop(&d->debounce);
    uv_timer_stop(&d->rescan);
    uv_timer_stop(&d->settle);
    uv_timer_stop(&d->respawn);
    uv_timer_stop(&d->rules_changed);
    if (d->watching)
        uv_fs_event_stop(&d->watch);
    for (size_t i = 0; i < d->n_workers; i++) {
        struct worker *w = d->workers[i];
        if (w != NULL && w->job == NULL)
            close_stdin(w);
    }
    maybe_finish_stop(d);
}

static void reload(struct daemon *d)
{
    struct ogid_config *cfg = NULL;
    struct ogid_pipeline *p = NULL;
    char err[8192] = "", msg[8400];

    if (ogid_daemon_config(d->opt, &cfg, err, sizeof err) != 0 ||
        ogid_pipeline_new(cfg, 1, &p, err, sizeof err) != 0) {
        err[strcspn(err, "\0")] = '\0';
        size_t n = strlen(err);
        while (n > 0 && err[n - 1] == '\n')
            err[--n] = '\0';
        snprintf(msg, sizeof msg,
                 "reload failed, keeping the running configuration and rules: %s", err);
        write_daemon_line(d, "reload-failed", msg);
        ogid_config_free(cfg);
        return;
    }
    ogid_pipeline_free(p);
    if (strcmp(cfg->spool_dir, d->cfg->spool_dir) != 0)
        ogid_warn("daemon", "reload: a new spool folder takes effect only at restart");
    if (strcmp(cfg->log_path, d->cfg->log_path) != 0) {
        struct ogid_findings_log *log;
        if (ogid_findings_open(cfg->log_path, cfg->fsync, &log) == 0) {
            ogid_findings_close(d->log);
            d->log = log;
        } else {
            ogid_error("log", "reload: cannot open %s; keeping %s", cfg->log_path,
                       d->cfg->log_path);
            free(cfg->log_path);
            cfg->log_path = strdup(d->cfg->log_path);
        }
    }
    /* The worker pool keeps its size and its spool; only the new deadline,
     * limits, rules, forms and plugins apply, through new workers. */
    cfg->workers = d->cfg->workers;
    free(cfg->spool_dir);
    cfg->spool_dir = strdup(d->cfg->spool_dir);
    ogid_config_free(d->cfg);
    d->cfg = cfg;
    d->generation++;
    for (size_t i = 0; i < d->n_workers; i++) {
        struct worker *w = d->workers[i];
        if (w != NULL && w->job == NULL)
            close_stdin(w);
    }
    write_daemon_line(d, "reload", "configuration and rules reloaded");
    watch_rules(d);
}

static void signal_cb(uv_signal_t *h, int signum)
{
    struct daemon *d = h->data;

    switch (signum) {
    case SIGTERM:
        begin_stop(d, "SIGTERM");
        break;
    case SIGINT:
        begin_stop(d, "SIGINT");
        break;
    case SIGHUP:
        if (!d->stopping)
            reload(d);
        break;
    case SIGUSR1:
        if (ogid_findings_reopen(d->log) != 0)
            ogid_error("log", "cannot reopen %s: %s", d->cfg->log_path, strerror(errno));
        else
            ogid_info("log", "reopened %s", d->cfg->log_path);
        break;
    }
}

int ogid_daemon_config(const struct ogid_daemon_options *opt, struct ogid_config **out,
                       char *errbuf, size_t errlen)
{
    struct ogid_config *cfg = NULL;
    int rc;

    rc = opt->config_path ? ogid_config_load(opt->config_path, &cfg, errbuf, errlen)
                          : ogid_config_default(&cfg);
    if (rc != 0)
        return rc;
    if ((opt->spool && ogid_config_set_spool(cfg, opt->spool) != 0) ||
        (opt->n_rules && ogid_config_set_rule_paths(cfg, opt->rules, opt->n_rules) != 0)) {
        ogid_config_free(cfg);
        return OGID_ENOMEM;
    }
    *out = cfg;
    return 0;
}

static char **build_worker_argv(const struct ogid_daemon_options *opt)
{
    size_t n = 0, max = 8 + 2 * opt->n_rules;
    char **argv = calloc(max, sizeof *argv);

    if (argv == NULL)
        return NULL;
    argv[n++] = (char *)"ogid";
    argv[n++] = (char *)"worker";
    if (opt->config_path) {
        argv[n++] = (char *)"-c";
        argv[n++] = (char *)opt->config_path;
    }
    if (opt->spool) {
        argv[n++] = (char *)"--spool";
        argv[n++] = (char *)opt->spool;
    }
    for (size_t i = 0; i < opt->n_rules; i++) {
        argv[n++] = (char *)"--rules";
        argv[n++] = opt->rules[i];
    }
    argv[n] = NULL;
    return argv;
}

/* Takes over the files that dead instances left in work/: those already in
 * the log are moved on, the others are checked again. */
static int recover(struct daemon *d)
{
    json_t *jobs;
    char msg[256];
    size_t again = 0, finished = 0;
    struct ogid_spool_list keep = {0};

    if (ogid_spool_orphans(d->spool, &d->recovered) != 0)
        return OGID_EIO;
    if (d->recovered.n == 0)
        return 0;
    jobs = json_object();
    if (jobs == NULL || ogid_findings_jobs(d->cfg->log_path, jobs) != 0) {
        json_decref(jobs);
        return OGID_EIO;
    }
    for (size_t i = 0; i < d->recovered.n; i++) {
        struct ogid_spool_entry *e = &d->recovered.v[i];
        json_t *line = json_object_get(jobs, e->job);

        if (line != NULL) {
            const char *status = json_string_value(json_object_get(line, "status"));
            const char *error = json_string_value(json_object_get(line, "error"));
            int ok = status != NULL && strcmp(status, "checked") == 0;
            finish_file(d, e->job, e->name, ok ? NULL : (error ? error : "failed"));
            finished++;
        } else {
            char *name = e->name, *job = e->job;
            if (keep.n == keep.cap) {
                size_t ncap = keep.cap ? keep.cap * 2 : 16;
                struct ogid_spool_entry *nv = realloc(keep.v, ncap * sizeof *nv);
                if (nv == NULL)
                    break;
                keep.v = nv;
                keep.cap = ncap;
            }
            keep.v[keep.n].name = name;
            keep.v[keep.n].job = job;
            keep.n++;
            e->name = e->job = NULL;
            again++;
        }
    }
    json_decref(jobs);
    ogid_spool_list_clear(&d->recovered);
    d->recovered = keep;
    snprintf(msg, sizeof msg,
             "recovered work/ after an unclean stop: %zu already reported, %zu to check again",
             finished, again);
    write_daemon_line(d, "recover", msg);
    return 0;
}

int ogid_daemon_run(const struct ogid_daemon_options *opt)
{
    struct daemon dd = {0}, *d = &dd;
    struct ogid_pipeline *p = NULL;
    char err[8192] = "", msg[512];
    static const int signums[4] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1};
    long removed;
    int rc, status = 0;

    d->opt = opt;
    d->backoff_ms = RETRY_MIN_MS;
    if (ogid_daemon_config(opt, &d->cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s", err);
        return 78;
    }
    /* Load everything once here, so that a broken rule or plugin stops the
     * start with its reason rather than failing in every worker. */
    if ((rc = ogid_pipeline_new(d->cfg, 1, &p, err, sizeof err)) != 0) {
        fprintf(stderr, "ogid: cannot start: %s%s", err,
                err[0] && err[strlen(err) - 1] == '\n' ? "" : "\n");
        ogid_config_free(d->cfg);
        return 78;
    }
    ogid_pipeline_free(p);
    if (ogid_spool_open(d->cfg->spool_dir, &d->spool) != 0) {
        fprintf(stderr, "ogid: cannot open the spool %s: %s\n", d->cfg->spool_dir,
                strerror(errno));
        ogid_config_free(d->cfg);
        return 74;
    }
    removed = ogid_findings_repair(d->cfg->log_path);
    if (ogid_findings_open(d->cfg->log_path, d->cfg->fsync, &d->log) != 0) {
        fprintf(stderr, "ogid: cannot open the findings log %s: %s\n", d->cfg->log_path,
                strerror(errno));
        ogid_spool_close(d->spool);
        ogid_config_free(d->cfg);
        return 74;
    }
    d->worker_argv = build_worker_argv(opt);
    d->loop = uv_default_loop();
    d->n_workers = d->cfg->workers ? d->cfg->workers : (size_t)uv_available_parallelism();
    if (d->n_workers > MAX_WORKERS)
        d->n_workers = MAX_WORKERS;
    /* Signals first: a SIGTERM that comes as soon as the start line is
     * visible must already find its handler. */
    for (int i = 0; i < 4; i++) {
        uv_signal_init(d->loop, &d->sig[i]);
        d->sig[i].data = d;
        uv_signal_start(&d->sig[i], signal_cb, signums[i]);
    }
    snprintf(msg, sizeof msg, "ogid %s started: spool %s, %zu workers, log %s",
             OGID_VERSION, d->cfg->spool_dir, d->n_workers, d->cfg->log_path);
    write_daemon_line_extra(d, "start", msg, "pid", (json_int_t)getpid());
    if (removed > 0) {
        snprintf(msg, sizeof msg, "removed a torn tail of %ld bytes from the log", removed);
        write_daemon_line(d, "recover", msg);
    }
    if (recover(d) != 0)
        ogid_error("spool", "cannot recover work/: %s", strerror(errno));

    uv_timer_init(d->loop, &d->debounce);
    uv_timer_init(d->loop, &d->rescan);
    uv_timer_init(d->loop, &d->settle);
    uv_timer_init(d->loop, &d->retry);
    uv_timer_init(d->loop, &d->respawn);
    uv_timer_init(d->loop, &d->rules_changed);
    d->rules_changed.data = d;
    d->debounce.data = d->rescan.data = d->settle.data = d->retry.data = d->respawn.data = d;
    signal(SIGPIPE, SIG_IGN);
    /* A file size limit on the log must fail the write (and be retried),
     * not kill the daemon. */
    signal(SIGXFSZ, SIG_IGN);
    uv_fs_event_init(d->loop, &d->watch);
    d->watch.data = d;
    rc = uv_fs_event_start(&d->watch, watch_cb, ogid_spool_incoming(d->spool), 0);
    if (rc == 0)
        d->watching = 1;
    else
        ogid_warn("watch", "cannot watch %s (%s); scanning every %u ms",
                  ogid_spool_incoming(d->spool), uv_strerror(rc), d->cfg->rescan_ms);
    if (!d->watching)
        uv_close((uv_handle_t *)&d->watch, NULL);
    uv_timer_start(&d->rescan, rescan_cb, d->cfg->rescan_ms, d->cfg->rescan_ms);
    watch_rules(d);
    for (size_t i = 0; i < d->n_workers; i++)
        spawn_worker(d, i);
    scan(d);

    uv_run(d->loop, UV_RUN_DEFAULT);

    while (d->pending_head != NULL) {
        struct pending *pd = d->pending_head;
        d->pending_head = pd->next;
        free(pd->lines);
        free(pd->name);
        free(pd->reason);
        free(pd);
    }
    if (uv_loop_close(d->loop) != 0)
        status = 0; /* handles of dead workers only; nothing to lose */
    ogid_spool_list_clear(&d->candidates);
    ogid_spool_list_clear(&d->recovered);
    ogid_findings_close(d->log);
    ogid_spool_close(d->spool);
    ogid_config_free(d->cfg);
    free(d->worker_argv);
    return status;
}
