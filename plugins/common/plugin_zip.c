/* Reading zip packages under the host's limits; see plugin_zip.h. */
#include "plugin_zip.h"

#include <stdlib.h>

#include "ogid/ogid_error.h"
#include "ogid/ogid_log.h"

zip_t *ogid_pc_zip_open(const struct ogid_host *host, const char *plugin, const void *bytes,
                        size_t len, int *rc)
{
    zip_error_t zerr;
    zip_source_t *src;
    zip_t *za;

    zip_error_init(&zerr);
    src = zip_source_buffer_create(bytes, len, 0, &zerr);
    if (src == NULL) {
        zip_error_fini(&zerr);
        *rc = OGID_ENOMEM;
        return NULL;
    }
    za = zip_open_from_source(src, ZIP_RDONLY, &zerr);
    if (za == NULL) {
        if (host != NULL)
            host->log(OGID_LOG_INFO, plugin, "not a readable zip: %s",
                      zip_error_strerror(&zerr));
        zip_source_free(src);
        zip_error_fini(&zerr);
        *rc = OGID_EFORMAT;
        return NULL;
    }
    zip_error_fini(&zerr);
    *rc = 0;
    return za;
}

int ogid_pc_zip_read(const struct ogid_host *host, const char *plugin, zip_t *za,
                     const char *name, size_t limit, size_t *budget, char **out,
                     size_t *out_len)
{
    zip_int64_t idx = zip_name_locate(za, name, 0);
    zip_stat_t st;
    zip_file_t *zf;
    char *buf;
    size_t total = 0, size;

    *out = NULL;
    *out_len = 0;
    if (idx < 0)
        return OGID_ENOENT;
    zip_stat_init(&st);
    if (zip_stat_index(za, (zip_uint64_t)idx, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
        return OGID_EFORMAT;
    if (st.size > limit || st.size > *budget) {
        if (host != NULL)
            host->log(OGID_LOG_WARN, plugin, "%s expands to %llu bytes: over the limit",
                      name, (unsigned long long)st.size);
        return OGID_ETOOBIG;
    }
    if ((st.valid & ZIP_STAT_COMP_SIZE) && st.size > OGID_PC_RATIO_MIN_SIZE &&
        st.comp_size * OGID_PC_MAX_RATIO < st.size) {
        if (host != NULL)
            host->log(OGID_LOG_WARN, plugin,
                      "%s is compressed %llu:1: refused as a decompression bomb", name,
                      (unsigned long long)(st.size / (st.comp_size ? st.comp_size : 1)));
        return OGID_ETOOBIG;
    }
    size = (size_t)st.size;
    buf = malloc(size + 1);
    if (buf == NULL)
        return OGID_ENOMEM;
    zf = zip_fopen_index(za, (zip_uint64_t)idx, 0);
    if (zf == NULL) {
        free(buf);
        return OGID_EFORMAT; /* encrypted, or an unknown compression method */
    }
    /* One byte of room past the declared size: filling it means the entry
     * inflates to more than it says, and it is refused. */
    while (total <= size) {
        zip_int64_t n = zip_fread(zf, buf + total, size + 1 - total);

        if (n < 0) {
            zip_fclose(zf);
            free(buf);
            return OGID_EFORMAT; /* bad deflate data or CRC */
        }
        if (n == 0)
            break;
        total += (size_t)n;
    }
    zip_fclose(zf);
    if (total != size) {
        if (host != NULL)
            host->log(OGID_LOG_WARN, plugin, "%s: %s its declared size %zu", name,
                      total > size ? "inflates past" : "ends short of", size);
        free(buf);
        return OGID_EFORMAT;
    }
    buf[size] = '\0';
    *budget -= size;
    *out = buf;
    *out_len = size;
    return 0;
}
