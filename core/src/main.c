/* ogid: the command line. One binary with git-style subcommands; `run` is the
 * daemon, `worker` is what the daemon starts as its worker processes. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "ogid/ogid_error.h"
#include "ogid/ogid_log.h"
#include "ogid/ogid_version.h"
#include "ogid_config.h"
#include "ogid_daemon.h"
#include "ogid_findings.h"
#include "ogid_pipeline.h"
#include "ogid_rules.h"
#include "ogid_rules_test.h"
#include "ogid_worker.h"

#define EX_USAGE 64
#define EX_CONFIG 78

static const char usage[] =
    "Usage: ogid COMMAND [OPTIONS] [FILE...]\n"
    "\n"
    "Checks government information disclosure annual reports (政府信息公开工作年度报告)\n"
    "against compliance rules written in Lua, and writes the findings as JSON lines.\n"
    "\n"
    "Commands:\n"
    "  run               the daemon, in the foreground: watch the spool's incoming/\n"
    "                    folder, check each dropped file, append to the findings log\n"
    "  check FILE...     check files now; findings as JSON lines on stdout\n"
    "                    exit 0: no error-level finding, 1: some, 2: could not run\n"
    "  parse FILE        print the parsed report model as JSON\n"
    "  rules list        list the loaded rules: id, severity, title\n"
    "  rules test [PATH...]  run the rules' test cases (<rule>.test.yaml beside each\n"
    "                    rule) under PATH (default: the rule paths); exit 0 when all\n"
    "                    pass, 1 when one fails\n"
    "  config check      validate a configuration file; exit 0, or 78 with\n"
    "                    FILE:LINE:COLUMN: message for every problem\n"
    "\n"
    "Options:\n"
    "  -c, --config FILE  configuration (YAML); without it the embedded default:\n"
    "                     spool ./spool, bundled rules, log ./spool/findings.jsonl\n"
    "      --spool DIR    (run) keep everything stateful under DIR: incoming/ work/\n"
    "                     done/ failed/, findings.jsonl and history.db\n"
    "      --rules PATH   (run, check, rules) a rule file or folder; repeatable; when\n"
    "                     given, replaces the configured rule paths\n"
    "      --format FMT   (check) json (default) or text\n"
    "      --pretty       (parse) indent the JSON\n"
    "  -v, --verbose      more diagnostics on stderr\n"
    "  -h, --help         this help\n"
    "      --version      print the version\n"
    "\n"
    "Signals to `ogid run`: SIGTERM/SIGINT finish the reports in flight and exit;\n"
    "SIGHUP reloads the configuration and rules (keeping the old ones if the new do\n"
    "not load); SIGUSR1 reopens the findings log (logrotate).\n"
    "\n"
    "Examples:\n"
    "  ogid run --spool /srv/ogid\n"
    "  cp report.html /srv/ogid/incoming/ && tail -f /srv/ogid/findings.jsonl\n"
    "  ogid check --rules ./my-rules report.txt\n"
    "  ogid parse --pretty report.txt | jq .requests\n";

enum { OPT_SPOOL = 256, OPT_RULES, OPT_FORMAT, OPT_PRETTY, OPT_VERSION };

struct cli {
    const char *command;
    struct ogid_daemon_options d;
    const char *format;
    int pretty;
    char **args;
    int n_args;
};

static int parse_options(int argc, char **argv, struct cli *cli)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"spool", required_argument, NULL, OPT_SPOOL},
        {"rules", required_argument, NULL, OPT_RULES},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"pretty", no_argument, NULL, OPT_PRETTY}, {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0}};
    int c;

    cli->d.rules = calloc((size_t)argc + 1, sizeof(char *));
    if (cli->d.rules == NULL)
        return EX_CONFIG;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': cli->d.config_path = optarg; break;
        case OPT_SPOOL: cli->d.spool = optarg; break;
        case OPT_RULES: cli->d.rules[cli->d.n_rules++] = optarg; break;
        case OPT_FORMAT: cli->format = optarg; break;
        case OPT_PRETTY: cli->pretty = 1; break;
        case 'v': ogid_log_level = OGID_LOG_DEBUG; break;
        case 'h': fputs(usage, stdout); exit(0);
        case OPT_VERSION: printf("ogid %s\n", OGID_VERSION); exit(0);
        default: fprintf(stderr, "Try 'ogid --help'.\n"); return EX_USAGE;
        }
    }
    cli->args = argv + optind;
    cli->n_args = argc - optind;
    return 0;
}

static int load_config(struct cli *cli, struct ogid_config **cfg)
{
    char err[8192] = "";

    if (ogid_daemon_config(&cli->d, cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s%s", err, err[0] && err[strlen(err) - 1] == '\n' ? "" : "\n");
        return -1;
    }
    return 0;
}

static int open_pipeline(struct ogid_config *cfg, int with_rules, struct ogid_pipeline **p)
{
    char err[8192] = "";

    if (ogid_pipeline_new(cfg, with_rules, p, err, sizeof err) != 0) {
        fprintf(stderr, "ogid: %s%s", err, err[0] && err[strlen(err) - 1] == '\n' ? "" : "\n");
        return -1;
    }
    return 0;
}

static const char *basename_of(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void print_text(json_t *result)
{
    json_t *findings = json_object_get(result, "findings"), *f;
    json_t *counts = json_object_get(result, "counts");
    const char *file = json_string_value(json_object_get(result, "file"));
    size_t i;

    json_array_foreach(findings, i, f) {
        printf("%s: %s %s [%s] %s\n", file,
               json_string_value(json_object_get(f, "severity")),
               json_string_value(json_object_get(f, "code")),
               json_string_value(json_object_get(f, "rule")),
               json_string_value(json_object_get(f, "message")));
    }
    if (strcmp(json_string_value(json_object_get(result, "status")), "checked") != 0)
        printf("%s: failed: %s\n", file,
               json_string_value(json_object_get(result, "error")));
    else
        printf("%s: checked: %lld errors, %lld warnings, %lld notes\n", file,
               json_integer_value(json_object_get(counts, "error")),
               json_integer_value(json_object_get(counts, "warning")),
               json_integer_value(json_object_get(counts, "info")));
}

static int cmd_check(struct cli *cli)
{
    struct ogid_config *cfg;
    struct ogid_pipeline *p;
    int status = 0, text;

    if (cli->n_args == 0) {
        fprintf(stderr, "ogid check: no file given\nTry 'ogid --help'.\n");
        return 2;
    }
    if (cli->format && strcmp(cli->format, "json") != 0 && strcmp(cli->format, "text") != 0) {
        fprintf(stderr, "ogid check: --format must be json or text\n");
        return 2;
    }
    text = cli->format && strcmp(cli->format, "text") == 0;
    if (load_config(cli, &cfg) != 0)
        return 2;
    /* Without a configuration file, a one-shot check keeps its history in
     * memory: files named together still meet each other (last year's and
     * this year's report), and nothing is written under ./spool. */
    if (cli->d.config_path == NULL) {
        free(cfg->history_path);
        cfg->history_path = strdup(":memory:");
    }
    if (open_pipeline(cfg, 1, &p) != 0) {
        ogid_config_free(cfg);
        return 2;
    }
    for (int i = 0; i < cli->n_args; i++) {
        json_t *r = ogid_pipeline_check(p, cli->args[i], basename_of(cli->args[i]));
        char *lines;
        size_t len;

        if (r == NULL) {
            status = 2;
            break;
        }
        if (strcmp(json_string_value(json_object_get(r, "status")), "checked") != 0)
            status = 2;
        else if (json_integer_value(json_object_get(json_object_get(r, "counts"), "error")) >
                     0 &&
                 status == 0)
            status = 1;
        if (text) {
            print_text(r);
        } else if (ogid_findings_format(r, NULL, &lines, &len) == 0) {
            fwrite(lines, 1, len, stdout);
            free(lines);
        }
        json_decref(r);
    }
    ogid_pipeline_free(p);
    ogid_config_free(cfg);
    return status;
}

static int cmd_parse(struct cli *cli)
{
    struct ogid_config *cfg;
    struct ogid_pipeline *p;
    char reason[512], sha[65];
    int status = 0;

    if (cli->n_args != 1) {
        fprintf(stderr, "ogid parse: give exactly one file\nTry 'ogid --help'.\n");
        return 2;
    }
    if (load_config(cli, &cfg) != 0)
        return 2;
    if (open_pipeline(cfg, 0, &p) != 0) {
        ogid_config_free(cfg);
        return 2;
    }
    int fd = ogid_open_report(cli->args[0], cfg->max_bytes, reason, sizeof reason);
    json_t *model = fd < 0 ? NULL
                           : ogid_pipeline_parse_fd(p, fd, basename_of(cli->args[0]), sha,
                                                    reason, sizeof reason);
    if (fd >= 0)
        close(fd);
    if (model == NULL) {
        fprintf(stderr, "ogid parse: %s: %s\n", cli->args[0], reason);
        status = 2;
    } else {
        json_dumpf(model, stdout,
                   JSON_PRESERVE_ORDER | (cli->pretty ? JSON_INDENT(2) : JSON_COMPACT));
        fputc('\n', stdout);
        json_decref(model);
    }
    ogid_pipeline_free(p);
    ogid_config_free(cfg);
    return status;
}

static void print_err(const char *prefix, const char *err)
{
    fprintf(stderr, "%s%s%s", prefix, err, err[0] && err[strlen(err) - 1] == '\n' ? "" : "\n");
}

/* ogid rules test [PATH...]: the paths replace the rule paths, as --rules
 * does. The history store is left out: tests must not write one. */
static int rules_test(struct cli *cli, struct ogid_config *cfg)
{
    struct ogid_pipeline *p;
    unsigned passed = 0, failed = 0;
    char err[8192] = "";

    if (cli->n_args > 1 && ogid_config_set_rule_paths(cfg, cli->args + 1,
                                                      (size_t)cli->n_args - 1) != 0) {
        fprintf(stderr, "ogid rules test: bad path\n");
        return EX_USAGE;
    }
    free(cfg->history_path);
    cfg->history_path = NULL;
    if (ogid_pipeline_new(cfg, 1, &p, err, sizeof err) != 0) {
        print_err("ogid rules test: ", err);
        return EX_CONFIG;
    }
    if (ogid_rules_test(p, cfg, stdout, stderr, &passed, &failed) != 0) {
        fprintf(stderr, "ogid rules test: out of memory\n");
        failed++;
    }
    ogid_pipeline_free(p);
    return failed == 0 ? 0 : 1;
}

static int cmd_rules(struct cli *cli)
{
    struct ogid_config *cfg;
    struct ogid_rules *rs;
    char err[8192] = "";
    int rc;

    if (cli->n_args == 0 ||
        (strcmp(cli->args[0], "list") != 0 && strcmp(cli->args[0], "test") != 0)) {
        fprintf(stderr, "ogid rules: unknown subcommand%s%s (known: list, test)\n",
                cli->n_args ? " " : "", cli->n_args ? cli->args[0] : "");
        return EX_USAGE;
    }
    if (load_config(cli, &cfg) != 0)
        return EX_CONFIG;
    if (strcmp(cli->args[0], "test") == 0) {
        rc = rules_test(cli, cfg);
        ogid_config_free(cfg);
        return rc;
    }
    if (ogid_rules_new(cfg->rule_paths, cfg->n_rule_paths, &rs, err, sizeof err) != 0 ||
        ogid_rules_configure(rs, cfg, err, sizeof err) != 0) {
        print_err("", err);
        ogid_rules_free(rs);
        ogid_config_free(cfg);
        return EX_CONFIG;
    }
    for (size_t i = 0; i < ogid_rules_count(rs); i++) {
        const char *id, *sev, *title;
        ogid_rules_info(rs, i, &id, &sev, &title);
        printf("%-40s %-8s %s%s\n", id, sev, title,
               ogid_rules_enabled(rs, i) ? "" : "  (disabled)");
    }
    ogid_rules_free(rs);
    ogid_config_free(cfg);
    return 0;
}

static int cmd_config(struct cli *cli)
{
    struct ogid_config *cfg;
    char err[8192] = "";
    const char *path = cli->d.config_path;

    if (cli->n_args == 0 || strcmp(cli->args[0], "check") != 0) {
        fprintf(stderr, "ogid config: unknown subcommand (known: check)\n");
        return EX_USAGE;
    }
    if (cli->n_args > 1)
        path = cli->args[1];
    if (path == NULL) {
        printf("no configuration file given: the embedded default is used\n");
        return 0;
    }
    if (ogid_config_load(path, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s%s", err, err[0] && err[strlen(err) - 1] == '\n' ? "" : "\n");
        return EX_CONFIG;
    }
    /* The per-rule settings can only be checked against the rules. */
    struct ogid_rules *rs = NULL;
    if (ogid_rules_new(cfg->rule_paths, cfg->n_rule_paths, &rs, err, sizeof err) != 0 ||
        ogid_rules_configure(rs, cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s%s", err, err[0] && err[strlen(err) - 1] == '\n' ? "" : "\n");
        ogid_rules_free(rs);
        ogid_config_free(cfg);
        return EX_CONFIG;
    }
    ogid_rules_free(rs);
    printf("%s: OK\n", path);
    ogid_config_free(cfg);
    return 0;
}

static int cmd_worker(struct cli *cli)
{
    struct ogid_config *cfg;
    int rc;

    if (load_config(cli, &cfg) != 0)
        return EX_CONFIG;
    rc = ogid_worker_main(cfg);
    ogid_config_free(cfg);
    return rc;
}

int main(int argc, char **argv)
{
    struct cli cli = {0};
    int rc;

    if (argc < 2) {
        fputs(usage, stderr);
        return EX_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("ogid %s\n", OGID_VERSION);
        return 0;
    }
    cli.command = argv[1];
    rc = parse_options(argc - 1, argv + 1, &cli);
    if (rc != 0) {
        free(cli.d.rules);
        return rc;
    }
    if (strcmp(cli.command, "run") == 0) {
        rc = cli.n_args ? (fprintf(stderr, "ogid run: unexpected argument %s\n", cli.args[0]),
                           EX_USAGE)
                        : ogid_daemon_run(&cli.d);
    } else if (strcmp(cli.command, "check") == 0) {
        rc = cmd_check(&cli);
    } else if (strcmp(cli.command, "parse") == 0) {
        rc = cmd_parse(&cli);
    } else if (strcmp(cli.command, "rules") == 0) {
        rc = cmd_rules(&cli);
    } else if (strcmp(cli.command, "config") == 0) {
        rc = cmd_config(&cli);
    } else if (strcmp(cli.command, "worker") == 0) {
        rc = cmd_worker(&cli);
    } else {
        fprintf(stderr, "ogid: unknown command '%s'\nTry 'ogid --help'.\n", cli.command);
        rc = EX_USAGE;
    }
    free(cli.d.rules);
    return rc;
}
