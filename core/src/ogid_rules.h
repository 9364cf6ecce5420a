/* The rule engine: loads the Lua rules under the rule paths into one Lua 5.4
 * state, applies the per-rule settings of the configuration, and runs the
 * rules over a report model.
 *
 * A rule file returns a rule table (id, title, severity, basis, params,
 * check(report, ctx)) or a list of them. Each check runs under pcall with an
 * instruction budget and a memory cap; a rule that fails or runs away yields
 * a RULE_ERROR finding naming it and the others still run. rules/README.md is
 * the rule author's guide (the sandbox, the `ogid` module, ctx).
 *
 * A rule set belongs to one thread at a time; every function here may be
 * called from any thread that holds it. */
#ifndef OGID_RULES_H
#define OGID_RULES_H

#include <stddef.h>

#include <jansson.h>

struct ogid_rules;
struct ogid_config;
struct ogid_calendar;

/* Loads every *.lua under each path (a file or a folder, searched
 * recursively, files in name order; folders named lib/ and tests/ are
 * skipped); a rule id seen again in a later path replaces the earlier one.
 * `require "lib.x"` in a rule finds x.lua in the lib/ folder of a path that
 * is a folder, later paths first, then in the bundled rules' lib/. On error
 * returns OGID_ERULE (or OGID_ENOMEM, OGID_EINVAL) and writes
 * "FILE:LINE: message" into errbuf. Free with ogid_rules_free. */
int ogid_rules_new(char *const *paths, size_t n_paths, struct ogid_rules **out,
                   char *errbuf, size_t errlen);
void ogid_rules_free(struct ogid_rules *rs);

/* Applies cfg->rule_settings (the config's `rules:` mapping, keyed by rule
 * id, each `{ enabled: BOOL, severity: error|warning|info, params: {...} }`)
 * and loads the working-day calendar from ogid_paths_data() unless one was
 * given with ogid_rules_set_calendar. An unknown rule id, an unknown setting,
 * a param the rule does not declare, a param whose type differs from the
 * rule's default or a bad value is an error: every problem goes into errbuf
 * as "FILE:LINE:COLUMN: message", one a line, nothing is applied, and the
 * return is OGID_ECONFIG (or OGID_ENOMEM). A calendar that does not load is
 * also an error (its own message). Settings applied by an earlier call are
 * replaced, not added to. cfg may be NULL: everything back to the rules'
 * own defaults. */
int ogid_rules_configure(struct ogid_rules *rs, const struct ogid_config *cfg, char *errbuf,
                         size_t errlen);

/* Hands the rule set a calendar for ogid.calendar, which it then owns and
 * frees (also when replaced). Without one, the first calendar call in a rule
 * loads ogid_paths_data(). */
void ogid_rules_set_calendar(struct ogid_rules *rs, struct ogid_calendar *cal);

/* Number of rules loaded, and rule i's id, effective severity (the config's
 * override, else the rule's own) and title (owned by rs; NULL past the end). */
size_t ogid_rules_count(const struct ogid_rules *rs);
void ogid_rules_info(const struct ogid_rules *rs, size_t i, const char **id,
                     const char **severity, const char **title);

/* Rule i's file, whether it is enabled (1) or disabled by the config (0),
 * and its effective params (the rule's defaults with the config's values
 * over them; an object owned by rs). -1 / NULL past the end. */
const char *ogid_rules_file(const struct ogid_rules *rs, size_t i);
int ogid_rules_enabled(const struct ogid_rules *rs, size_t i);
const json_t *ogid_rules_params(const struct ogid_rules *rs, size_t i);

/* The index of the rule with this id, or -1. */
long ogid_rules_find(const struct ogid_rules *rs, const char *id);

/* Options of one run, for the daemon's deadline handling and the history
 * store; a zeroed struct means none. */
struct ogid_rules_opts {
    /* Rule ids not to run: each that is loaded and enabled gets a RULE_ERROR
     * finding "规则 <id> 超过处理时限，已跳过" instead. */
    char *const *skip;
    size_t n_skip;
    /* Called before each rule runs, with its id (owned by rs). */
    void (*on_rule)(void *ud, const char *id);
    void *ud;
    /* ctx.previous: the same agency's report for the year before; may be
     * NULL. Not modified. */
    json_t *previous;
    /* ctx.next: the same agency's report for the year after, when it was
     * checked before this one; may be NULL. Not modified. */
    json_t *next;
    /* ctx.counterpart: the other file of a register/report pair from the
     * history store — the report of the same agency and year when a request
     * register is checked, the register when a report is checked; may be
     * NULL. Not modified. */
    json_t *counterpart;
};

/* Runs every enabled rule on `model` and appends to the array `findings`
 * one object per finding: rule, code, severity, message, and where present
 * where, expected, actual, basis. model is not modified. opts may be NULL.
 * Returns 0, OGID_EINVAL or OGID_ENOMEM. */
int ogid_rules_run_opts(struct ogid_rules *rs, json_t *model, json_t *findings,
                        const struct ogid_rules_opts *opts);
int ogid_rules_run(struct ogid_rules *rs, json_t *model, json_t *findings);

/* Runs rule i alone, enabled or not, with `params` as ctx.params (NULL: its
 * effective params) and its own declared severity as the default, for the
 * rule tests. opts->skip and on_rule are ignored. Returns as ogid_rules_run. */
int ogid_rules_run_one(struct ogid_rules *rs, size_t i, const json_t *params, json_t *model,
                       json_t *findings, const struct ogid_rules_opts *opts);

/* Checks a params mapping (as read from YAML, the `params:` of a rule's
 * config settings or of a test case; file names it in messages) against rule
 * i's declared params and builds the merged params: the defaults with the
 * given values over them. On error returns OGID_ECONFIG with every problem as
 * "FILE:LINE:COLUMN: message" lines in errbuf. *out is a new reference. */
struct ogid_config_node;
int ogid_rules_merge_params(const struct ogid_rules *rs, size_t i,
                            const struct ogid_config_node *params, const char *file,
                            json_t **out, char *errbuf, size_t errlen);

#endif
