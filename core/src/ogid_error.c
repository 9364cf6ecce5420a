/* Texts of the OGID_E* error codes. */
#include "ogid/ogid_error.h"

const char *ogid_strerror(int code)
{
    switch (code) {
    case OGID_OK: return "success";
    case OGID_ENOMEM: return "out of memory";
    case OGID_EIO: return "input/output error";
    case OGID_EINVAL: return "invalid argument";
    case OGID_ETOOBIG: return "over the size limit";
    case OGID_EFORMAT: return "not in a readable format";
    case OGID_ECONFIG: return "configuration error";
    case OGID_EPLUGIN: return "plugin refused or failed";
    case OGID_ERULE: return "rule failed";
    case OGID_ENOENT: return "no such file or entry";
    case OGID_EAGAIN: return "temporarily unavailable";
    case OGID_ERANGE: return "date outside the calendar";
    default: return "unknown error";
    }
}
