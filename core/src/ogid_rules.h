/* The rule engine: loads the Lua rules under the rule paths into one Lua 5.4
 * state and runs them over a report model.
 *
 * A rule file returns a rule table (id, title, severity, basis, params,
 * check(report, ctx)) or a list of them. Each check runs under pcall; a rule
 * that fails yields a RULE_ERROR finding naming it and the others still run. */
#ifndef OGID_RULES_H
#define OGID_RULES_H

#include <stddef.h>

#include <jansson.h>

struct ogid_rules;

/* Loads every *.lua under each path (a file or a folder, searched
 * recursively, files in name order); a rule id seen again in a later path
 * replaces the earlier one. On error returns OGID_ERULE (or OGID_ENOMEM) and
 * writes "FILE:LINE: message" into errbuf. Free with ogid_rules_free. */
int ogid_rules_new(char *const *paths, size_t n_paths, struct ogid_rules **out,
                   char *errbuf, size_t errlen);
void ogid_rules_free(struct ogid_rules *rs);

/* Number of rules loaded, and rule i's id, severity and title (owned by rs). */
size_t ogid_rules_count(const struct ogid_rules *rs);
void ogid_rules_info(const struct ogid_rules *rs, size_t i, const char **id,
                     const char **severity, const char **title);

/* Runs every rule on `model` and appends to the array `findings` one object
 * per finding: rule, code, severity, message, and where present where,
 * expected, actual, basis. Returns 0 or OGID_ENOMEM. */
int ogid_rules_run(struct ogid_rules *rs, json_t *model, json_t *findings);

#endif
