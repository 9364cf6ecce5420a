/* bench_parse: how long one report takes to parse, per format, and how long
 * the bundled rules take on the seed's model (tests/bench/README.md).
 *
 * Plugins (the build's plugins/ folder) and forms (the source tree's
 * rules/forms) are loaded once; each file is read into memory once, so disk
 * reads are not counted. One parse is what a worker does after reading the
 * bytes: decode and normalise (ogid_file_from_buffer), pick the plugin by
 * probing them all, parse into a document, recognise the model, free it all.
 * Machines are shared and noisy, so besides absolute times every line gives
 * its ratio to the text seed measured in the same run: compare ratios
 * across runs, not microseconds.
 *
 *   bench_parse [N] [FILE...]   N parses of each file (default 200); without
 *                               files, the fixture reports
 *   bench_parse --rules [N]     N rule runs on the seed's model, beside N
 *                               parses of the seed, and the slowest rules */
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "ogid/ogid_error.h"
#include "ogid_document.h"
#include "ogid_input.h"
#include "ogid_plugin_loader.h"
#include "ogid_recognise.h"
#include "ogid_rules.h"

#if !defined(OGID_BENCH_SOURCE) || !defined(OGID_BENCH_PLUGINS)
#error "OGID_BENCH_SOURCE and OGID_BENCH_PLUGINS must be defined (see CMakeLists.txt)"
#endif

#define REPORTS OGID_BENCH_SOURCE "/tests/fixtures/reports/"
#define SEED REPORTS "tongxin-county-office-2023.txt"
/* As ogid_pipeline.c's MAX_CELLS. */
#define MAX_CELLS 200000

struct bench {
    struct ogid_plugins *plugins;
    struct ogid_forms *forms;
};

/* Times of one parse, in nanoseconds. */
struct times {
    uint64_t decode, plugin, recognise, total;
};

struct input {
    char *path;
    const char *name; /* base name, the plugins' hint */
    unsigned char *bytes;
    size_t len;
};

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int read_input(const char *path, struct input *in)
{
    FILE *fp = fopen(path, "rb");
    long n;

    memset(in, 0, sizeof *in);
    if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) <= 0) {
        if (fp != NULL)
            fclose(fp);
        fprintf(stderr, "bench_parse: cannot read %s\n", path);
        return -1;
    }
    rewind(fp);
    in->bytes = malloc((size_t)n);
    if (in->bytes == NULL || fread(in->bytes, 1, (size_t)n, fp) != (size_t)n) {
        fclose(fp);
        free(in->bytes);
        fprintf(stderr, "bench_parse: cannot read %s\n", path);
        return -1;
    }
    fclose(fp);
    in->len = (size_t)n;
    in->path = strdup(path);
    if (in->path == NULL) {
        free(in->bytes);
        return -1;
    }
    in->name = strrchr(in->path, '/') ? strrchr(in->path, '/') + 1 : in->path;
    return 0;
}

/* One parse as a worker does it. Returns 0, or -1 with the reason printed.
 * With model != NULL the model is kept there (a new reference). */
static int parse_once(const struct bench *b, const struct input *src, struct times *t,
                      const char **format, json_t **model)
{
    struct ogid_file f;
    struct ogid_document *doc = NULL;
    struct ogid_doc_builder builder;
    const struct ogid_plugin *p;
    json_t *source = NULL, *m = NULL;
    uint64_t t0 = now_ns(), t1, t2, t3;
    int rc = -1, prc;

    if (ogid_file_from_buffer(src->bytes, src->len, &f) != 0) {
        fprintf(stderr, "bench_parse: %s: cannot decode\n", src->name);
        return -1;
    }
    t1 = now_ns();
    struct ogid_input in = {
        .name = src->name,
        .bytes = f.bytes,
        .len = f.len,
        .text = f.text,
        .text_len = f.text_len,
    };
    p = ogid_plugins_pick(b->plugins, &in);
    if (p == NULL) {
        fprintf(stderr, "bench_parse: %s: no plugin reads it\n", src->name);
        goto done;
    }
    if (ogid_document_new(MAX_CELLS, &doc) != 0)
        goto done;
    ogid_document_builder(doc, &builder);
    if ((prc = p->parse(&in, &builder)) != 0) {
        fprintf(stderr, "bench_parse: %s: %s: %s\n", src->name, p->name,
                ogid_strerror(prc));
        goto done;
    }
    t2 = now_ns();
    source =
        json_pack("{s:s, s:s, s:I, s:s, s:s}", "file", src->name, "sha256", f.sha256,
                  "bytes", (json_int_t)f.len, "format", p->format, "encoding", f.encoding);
    if (source == NULL || ogid_recognise(doc, b->forms, source, &m) != 0) {
        fprintf(stderr, "bench_parse: %s: out of memory\n", src->name);
        goto done;
    }
    t3 = now_ns();
    *format = p->format;
    if (model != NULL)
        *model = json_incref(m);
    t->decode = t1 - t0;
    t->plugin = t2 - t1;
    t->recognise = t3 - t2;
    rc = 0;
done:
    json_decref(m);
    json_decref(source);
    ogid_document_free(doc);
    ogid_file_clear(&f);
    t->total = now_ns() - t0; /* with the frees: they are part of the cost */
    return rc;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* Median of v[0..n), which it sorts. */
static double median(uint64_t *v, long n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_u64);
    return n % 2 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2;
}

/* Statistics of one file's runs. */
struct result {
    const char *format;
    double mean_us, median_us, decode_us, plugin_us, recognise_us;
};

static int bench_file(const struct bench *b, const struct input *in, long n,
                      struct result *r)
{
    uint64_t *totals = calloc((size_t)n, sizeof *totals);
    uint64_t sum = 0, dec = 0, plug = 0, rec = 0;
    struct times t;

    if (totals == NULL)
        return -1;
    /* One untimed parse: warms caches, and fails early on a broken build. */
    if (parse_once(b, in, &t, &r->format, NULL) != 0) {
        free(totals);
        return -1;
    }
    for (long i = 0; i < n; i++) {
        if (parse_once(b, in, &t, &r->format, NULL) != 0) {
            free(totals);
            return -1;
        }
        totals[i] = t.total;
        sum += t.total;
        dec += t.decode;
        plug += t.plugin;
        rec += t.recognise;
    }
    r->mean_us = (double)sum / (double)n / 1e3;
    r->median_us = median(totals, n) / 1e3;
    r->decode_us = (double)dec / (double)n / 1e3;
    r->plugin_us = (double)plug / (double)n / 1e3;
    r->recognise_us = (double)rec / (double)n / 1e3;
    free(totals);
    return 0;
}

/* The files of one run, read into memory. */
struct inputs {
    struct input *v;
    size_t n, cap;
};

static int add_input(struct inputs *ins, const char *path)
{
    if (ins->n == ins->cap) {
        size_t cap = ins->cap ? 2 * ins->cap : 8;
        struct input *v = realloc(ins->v, cap * sizeof *v);

        if (v == NULL)
            return -1;
        ins->v = v;
        ins->cap = cap;
    }
    if (read_input(path, &ins->v[ins->n]) != 0)
        return -1;
    ins->n++;
    return 0;
}

static void free_inputs(struct inputs *ins)
{
    for (size_t i = 0; i < ins->n; i++) {
        free(ins->v[i].path);
        free(ins->v[i].bytes);
    }
    free(ins->v);
}

/* The seed first (every ratio is to it), then the files to time. */
static int parse_bench(const struct bench *b, long n, char **files, int n_files)
{
    static const char *const fixtures[] = {REPORTS "pingtan-2022.txt",
                                           REPORTS "shanghai-government-office-2019.html",
                                           REPORTS "pingtan-2022.html", NULL};
    struct inputs ins = {0};
    struct result seed_r = {0};
    glob_t g = {0};
    int rc = -1;

    if (add_input(&ins, SEED) != 0)
        goto done;
    if (n_files > 0) {
        for (int i = 0; i < n_files; i++)
            if (add_input(&ins, files[i]) != 0)
                goto done;
    } else {
        for (size_t i = 0; fixtures[i] != NULL; i++)
            if (add_input(&ins, fixtures[i]) != 0)
                goto done;
        if (glob(REPORTS "*.docx", 0, NULL, &g) == 0)
            for (size_t i = 0; i < g.gl_pathc; i++)
                if (add_input(&ins, g.gl_pathv[i]) != 0)
                    goto done;
    }
    printf("%ld parses of each file; ratio = mean / mean of the text seed (first line)\n\n",
           n);
    printf("%-6s %8s %10s %10s %10s %6s %9s %9s %9s  %s\n", "format", "bytes", "mean_us",
           "median_us", "reports/s", "ratio", "decode", "plugin", "recognise", "file");
    for (size_t i = 0; i < ins.n; i++) {
        const struct input *in = &ins.v[i];
        struct result r;

        if (bench_file(b, in, n, &r) != 0)
            goto done;
        if (i == 0)
            seed_r = r;
        printf("%-6s %8zu %10.1f %10.1f %10.0f %6.2f %9.1f %9.1f %9.1f  %s\n", r.format,
               in->len, r.mean_us, r.median_us, 1e6 / r.mean_us, r.mean_us / seed_r.mean_us,
               r.decode_us, r.plugin_us, r.recognise_us, in->name);
        fflush(stdout);
    }
    rc = 0;
done:
    globfree(&g);
    free_inputs(&ins);
    return rc;
}

/* Per-rule time, through the on_rule callback: the time between two calls
 * is the earlier rule's. */
struct profile {
    const struct ogid_rules *rs;
    uint64_t *ns;
    long last;
    uint64_t t_last;
};

static void on_rule_cb(void *ud, const char *id)
{
    struct profile *pr = ud;
    uint64_t t = now_ns();

    if (pr->last >= 0)
        pr->ns[pr->last] += t - pr->t_last;
    pr->last = ogid_rules_find(pr->rs, id);
    pr->t_last = now_ns();
}

struct rule_time {
    size_t i;
    uint64_t ns;
};

static int cmp_rule_time(const void *a, const void *b)
{
    uint64_t x = ((const struct rule_time *)a)->ns, y = ((const struct rule_time *)b)->ns;

    return x > y ? -1 : x < y;
}

static int rules_bench(const struct bench *b, long n)
{
    char *paths[] = {OGID_BENCH_SOURCE "/rules"};
    char err[8192] = "";
    struct ogid_rules *rs = NULL;
    struct input seed;
    struct result seed_r = {0};
    struct times t;
    struct profile pr = {0};
    struct ogid_rules_opts opts = {.on_rule = on_rule_cb, .ud = &pr};
    struct rule_time *rt = NULL;
    uint64_t *runs = NULL;
    const char *format;
    json_t *model = NULL, *findings = NULL;
    uint64_t sum = 0;
    double mean_us, median_us;
    size_t n_rules, n_findings = 0;
    int rc = -1;

    if (read_input(SEED, &seed) != 0)
        return -1;
    if (ogid_rules_new(paths, 1, &rs, err, sizeof err) != 0 ||
        ogid_rules_configure(rs, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "bench_parse: rules: %s\n", err);
        goto done;
    }
    if (parse_once(b, &seed, &t, &format, &model) != 0 ||
        bench_file(b, &seed, n, &seed_r) != 0)
        goto done;
    n_rules = ogid_rules_count(rs);
    pr.rs = rs;
    pr.ns = calloc(n_rules ? n_rules : 1, sizeof *pr.ns);
    rt = calloc(n_rules ? n_rules : 1, sizeof *rt);
    runs = calloc((size_t)n, sizeof *runs);
    if (pr.ns == NULL || rt == NULL || runs == NULL)
        goto done;
    /* One untimed run loads what the rules load lazily (the calendar...). */
    findings = json_array();
    if (findings == NULL || ogid_rules_run(rs, model, findings) != 0)
        goto done;
    n_findings = json_array_size(findings);
    json_decref(findings);
    findings = NULL;
    for (long i = 0; i < n; i++) {
        uint64_t t0;

        findings = json_array();
        if (findings == NULL)
            goto done;
        pr.last = -1;
        t0 = now_ns();
        if (ogid_rules_run_opts(rs, model, findings, &opts) != 0) {
            fprintf(stderr, "bench_parse: the rule run failed\n");
            goto done;
        }
        if (pr.last >= 0)
            pr.ns[pr.last] += now_ns() - pr.t_last;
        runs[i] = now_ns() - t0;
        sum += runs[i];
        json_decref(findings);
        findings = NULL;
    }
    mean_us = (double)sum / (double)n / 1e3;
    median_us = median(runs, n) / 1e3;
    printf("%ld runs of %zu rules on the seed's model (%s, %zu findings)\n\n", n, n_rules,
           seed.name, n_findings);
    printf("%-18s %10s %10s %10s %6s\n", "", "mean_us", "median_us", "per_s", "ratio");
    printf("%-18s %10.1f %10.1f %10.0f %6.2f\n", "parse (text seed)", seed_r.mean_us,
           seed_r.median_us, 1e6 / seed_r.mean_us, 1.0);
    printf("%-18s %10.1f %10.1f %10.0f %6.2f\n", "rules (all)", mean_us, median_us,
           1e6 / mean_us, mean_us / seed_r.mean_us);
    printf("%-18s %10.1f %10.1f %10.0f %6.2f\n\n", "parse + rules",
           seed_r.mean_us + mean_us, seed_r.median_us + median_us,
           1e6 / (seed_r.mean_us + mean_us), (seed_r.mean_us + mean_us) / seed_r.mean_us);
    for (size_t i = 0; i < n_rules; i++) {
        rt[i].i = i;
        rt[i].ns = pr.ns[i];
    }
    qsort(rt, n_rules, sizeof *rt, cmp_rule_time);
    printf("slowest rules (mean_us per run, share of the rule time):\n");
    for (size_t i = 0; i < n_rules && i < 10; i++) {
        const char *id, *sev, *title;

        ogid_rules_info(rs, rt[i].i, &id, &sev, &title);
        printf("  %10.1f %5.1f%%  %s\n", (double)rt[i].ns / (double)n / 1e3,
               sum ? 100.0 * (double)rt[i].ns / (double)sum : 0.0, id);
    }
    rc = 0;
done:
    json_decref(findings);
    json_decref(model);
    free(runs);
    free(rt);
    free(pr.ns);
    ogid_rules_free(rs);
    free(seed.path);
    free(seed.bytes);
    return rc;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_parse [N] [FILE...]\n"
                    "       bench_parse --rules [N]\n");
}

int main(int argc, char **argv)
{
    struct bench b = {0};
    char err[8192] = "";
    int rules = 0, argi = 1, rc;
    long n = 200;

    if (argi < argc && strcmp(argv[argi], "--rules") == 0) {
        rules = 1;
        argi++;
    }
    if (argi < argc && argv[argi][0] >= '0' && argv[argi][0] <= '9') {
        char *end;

        n = strtol(argv[argi], &end, 10);
        if (*end != '\0' || n < 1 || n > 10000000) {
            usage();
            return 64;
        }
        argi++;
    }
    if (rules && argi < argc) {
        usage();
        return 64;
    }
    if (ogid_plugins_load(OGID_BENCH_PLUGINS, &b.plugins, err, sizeof err) != 0) {
        fprintf(stderr, "bench_parse: plugins: %s", err);
        return 2;
    }
    if (err[0] != '\0')
        fprintf(stderr, "bench_parse: some plugins refused:\n%s", err);
    if (ogid_forms_load(OGID_BENCH_SOURCE "/rules/forms", &b.forms, err, sizeof err) != 0) {
        fprintf(stderr, "bench_parse: forms: %s\n", err);
        ogid_plugins_free(b.plugins);
        return 2;
    }
    rc = rules ? rules_bench(&b, n) : parse_bench(&b, n, argv + argi, argc - argi);
    ogid_forms_free(b.forms);
    ogid_plugins_free(b.plugins);
    return rc == 0 ? 0 : 1;
}
