/* Diagnostics on stderr, for people and for journald.
 *
 * Each message carries a component tag, e.g. "[watch]" or "[plugin:format_text]".
 * The macros check the level before formatting anything. Lower layers return
 * codes and do not log; log where the decision is made. */
#ifndef OGID_LOG_H
#define OGID_LOG_H

enum ogid_log_level { OGID_LOG_ERROR = 0, OGID_LOG_WARN, OGID_LOG_INFO, OGID_LOG_DEBUG };

extern int ogid_log_level;

/* Writes one line "LEVEL [tag] message" to stderr. Any thread. Identical
 * messages repeated within a second are counted, not printed. */
void ogid_log_write(int level, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define OGID_LOG(level, tag, ...)                                              \
    do {                                                                       \
        if ((level) <= ogid_log_level)                                         \
            ogid_log_write((level), (tag), __VA_ARGS__);                       \
    } while (0)
#define ogid_error(tag, ...) OGID_LOG(OGID_LOG_ERROR, tag, __VA_ARGS__)
#define ogid_warn(tag, ...) OGID_LOG(OGID_LOG_WARN, tag, __VA_ARGS__)
#define ogid_info(tag, ...) OGID_LOG(OGID_LOG_INFO, tag, __VA_ARGS__)
#define ogid_debug(tag, ...) OGID_LOG(OGID_LOG_DEBUG, tag, __VA_ARGS__)

#endif
