/* Error codes shared by the core, the plugins and the tests.
 *
 * Functions return 0 on success or one of the negative OGID_E* codes below;
 * ogid_strerror() gives the text for a person. */
#ifndef OGID_ERROR_H
#define OGID_ERROR_H

enum {
    OGID_OK = 0,
    OGID_ENOMEM = -1,    /* out of memory */
    OGID_EIO = -2,       /* a read or write failed; errno says more */
    OGID_EINVAL = -3,    /* bad argument or bad value */
    OGID_ETOOBIG = -4,   /* input over a configured limit */
    OGID_EFORMAT = -5,   /* input is not in the expected format */
    OGID_ECONFIG = -6,   /* configuration error */
    OGID_EPLUGIN = -7,   /* a plugin was refused or failed */
    OGID_ERULE = -8,     /* a rule failed to load or run */
    OGID_ENOENT = -9,    /* no such file or entry */
    OGID_EAGAIN = -10,   /* try again later */
    OGID_ERANGE = -11,   /* a date the calendar cannot judge: its holiday notice is not loaded */
};

/* The text of an OGID_E* code; a static string, never NULL. Any thread. */
const char *ogid_strerror(int code);

#endif
