/* The working-day calendar: which days count towards the deadlines of the
 * Regulations on Open Government Information (条例 arts. 30-33: a reply within
 * 20 working days of receipt, counting from the next day).
 *
 * A working day is a Monday-Friday that is not an official day off, or a
 * Saturday or Sunday that the State Council's yearly holiday notice makes a
 * working day (调休上班). The notices are read from YAML files, one a year
 * (rules/data/holidays-cn/YYYY.yaml, format in rules/data/README.md), and the
 * daemon's configuration may add local holidays on top.
 *
 * A day can only be judged when the notice for its year is loaded: the notice
 * for year Y appears late in Y-1, and nothing about Y is known before it. The
 * notice for Y+1 may also move days at the end of Y (the 2019 notice made
 * 2018-12-29 a working day and 2018-12-30/31 days off), so December 25-31 of Y
 * needs both notices. Any other day is refused with OGID_ERANGE, never
 * guessed.
 *
 * Dates are three ints: year, month 1-12 and day 1-31. Every function checks
 * them and refuses an impossible one (2023-02-29) with OGID_EINVAL; years run
 * from 1 to 9999.
 *
 * A loaded calendar is read-only except for ogid_calendar_add_local(): once
 * that is done, any number of threads may query it at once. */
#ifndef OGID_CALENDAR_H
#define OGID_CALENDAR_H

#include <stddef.h>

struct ogid_calendar;

/* Loads every *.yaml (and *.yml) file in dir and in its subfolders one level
 * down, in name order, so that rules/data finds rules/data/holidays-cn/YYYY.yaml.
 * Hidden files and folders are skipped, deeper folders ignored. Each file is
 * one year's notice; two files for one year, a date given twice in one file or
 * with two meanings in two files, an unknown key or a wrong value are errors.
 * On success *out is a new calendar for the caller to ogid_calendar_free().
 * On failure *out is NULL, err (if not NULL) gets "FILE:LINE:COLUMN: message"
 * and the return is OGID_ENOENT (dir missing or holding no YAML file),
 * OGID_ECONFIG (a file is wrong) or OGID_ENOMEM. Any thread. */
int ogid_calendar_load(const char *dir, struct ogid_calendar **out, char *err,
                       size_t errlen);

/* Adds a local day from the configuration: off = 1 for a local day off (an
 * ethnic-minority festival, a regional holiday), off = 0 for a local working
 * day. A local day overrides the national notices. name (may be NULL) is
 * copied. Adding does not make the year covered: the national notice is still
 * needed. Returns 0, OGID_EINVAL for an impossible date or a date already
 * added locally, OGID_ENOMEM. Not while another thread queries c. */
int ogid_calendar_add_local(struct ogid_calendar *c, int y, int m, int d, int off,
                            const char *name);

/* 1 when the national notice for year is loaded, else 0. Every day of that
 * year can then be judged except December 25-31, which also needs year + 1. */
int ogid_calendar_covers(const struct ogid_calendar *c, int year);

/* The title of the (first) notice loaded for year, owned by c; NULL when the
 * year is not covered. */
const char *ogid_calendar_notice(const struct ogid_calendar *c, int year);

/* The day of the week of a date, 0 = Sunday ... 6 = Saturday (proleptic
 * Gregorian calendar), or OGID_EINVAL for an impossible date. Needs no
 * calendar. */
int ogid_calendar_weekday(int y, int m, int d);

/* Sets *is_work to 1 when the date is a working day, 0 when not. Returns 0,
 * OGID_EINVAL (impossible date) or OGID_ERANGE (the date cannot be judged:
 * its notice is not loaded); *is_work is left alone on error. */
int ogid_calendar_is_workday(const struct ogid_calendar *c, int y, int m, int d,
                             int *is_work);

/* The name the notices or the configuration give the date ("春节",
 * "中秋节、国庆节"), owned by c; NULL for an ordinary day or a day that cannot
 * be judged. A local name wins over a national one. */
const char *ogid_calendar_day_name(const struct ogid_calendar *c, int y, int m, int d);

/* The deadline rule: the n-th working day after the date, counting from the
 * next day (the day of receipt is not counted), into *oy, *om, *od. n = 0 gives
 * the date itself. Returns 0, OGID_EINVAL (impossible date, n < 0) or
 * OGID_ERANGE (a day on the way cannot be judged); the outputs are left alone
 * on error. */
int ogid_calendar_add_workdays(const struct ogid_calendar *c, int y, int m, int d, int n,
                               int *oy, int *om, int *od);

/* The number of working days in (from, to]: the days after from up to and
 * including to, so that the working days a reply took are
 * workdays_between(receipt, reply), and a reply on the deadline of
 * add_workdays(receipt, n) took exactly n. When to is before from, *n is minus
 * the working days in (to, from]. Returns 0, OGID_EINVAL or OGID_ERANGE (a
 * day counted cannot be judged); *n is left alone on error. */
int ogid_calendar_workdays_between(const struct ogid_calendar *c, int fy, int fm, int fd,
                                   int ty, int tm, int td, int *n);

/* Frees c and everything it owns; NULL is allowed. */
void ogid_calendar_free(struct ogid_calendar *c);

#endif
