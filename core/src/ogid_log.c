/* Diagnostics on stderr. Identical messages within one second are folded
 * into a count, so a spool problem repeating on every scan cannot flood the
 * journal. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ogid/ogid_log.h"

int ogid_log_level = OGID_LOG_INFO;

static const char *const level_names[] = {"error", "warning", "info", "debug"};

static char last_msg[512];
static time_t last_time;
static unsigned repeated;

void ogid_log_write(int level, const char *tag, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    time_t now = time(NULL);

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    if (strcmp(msg, last_msg) == 0 && now == last_time) {
        repeated++;
        return;
    }
    if (repeated > 0)
        fprintf(stderr, "ogid[%ld]: (last message repeated %u times)\n",
                (long)getpid(), repeated);
    repeated = 0;
    last_time = now;
    memcpy(last_msg, msg, sizeof msg);
    if (level < 0 || level > OGID_LOG_DEBUG)
        level = OGID_LOG_INFO;
    fprintf(stderr, "ogid[%ld]: %s [%s] %s\n", (long)getpid(), level_names[level],
            tag, msg);
}
