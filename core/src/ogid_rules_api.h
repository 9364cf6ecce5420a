/* The `ogid` Lua module that rules require: prose numbers, dates, sentences,
 * section lookup and the working-day calendar. Internal to the rule engine
 * (ogid_rules.c); the rule author's reference is rules/README.md. */
#ifndef OGID_RULES_API_H
#define OGID_RULES_API_H

#include <lua.h>

struct ogid_calendar;

/* What the module's functions need from the rule set that hosts them. */
struct ogid_rules_host {
    struct ogid_calendar *calendar; /* NULL until given or loaded */
    int calendar_tried;             /* a lazy load was attempted */
    char calendar_err[512];         /* why that load failed */
};

/* The version of the module's API, as `ogid.api`. */
#define OGID_RULES_API 2

/* Pushes a new `ogid` module table (every rule file gets its own, so one
 * rule that changes it changes only its own). host must outlive the state.
 * Raises a Lua error when out of memory: call inside a protected call. */
void ogid_rules_api_push(lua_State *L, struct ogid_rules_host *host);

/* Parses a date written as 2024-01-22, 2024-01-22 10:05, 2024/1/22,
 * 2024.01.22, 2024年1月22日 (also with 号, spaces or Chinese numerals:
 * 二〇二四年一月二十二日), blanks around allowed. Writes "YYYY-MM-DD" into
 * out (11 bytes) and returns 1, or returns 0 when s is not one valid date. */
int ogid_rules_parse_date(const char *s, size_t len, int *y, int *m, int *d, char out[11]);

#endif
