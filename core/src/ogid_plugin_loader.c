/* The plugin loader. A plugin is untrusted in the sense that it may have been
 * built against another version of ogid_plugin.h: every field the host relies
 * on is checked before the first callback, and each refusal says exactly
 * which check failed, so an operator can tell a stale build from a broken
 * one. A refused plugin never stops the others from loading. */
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <uv.h>

#include "ogid/ogid_error.h"
#include "ogid/ogid_log.h"
#include "ogid_plugin_loader.h"

#define MAX_PLUGINS 64

struct loaded {
    const struct ogid_plugin *p;
    uv_lib_t *lib;
};

struct ogid_plugins {
    struct loaded v[MAX_PLUGINS];
    size_t n;
};

static void host_log(int level, const char *plugin, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void host_log(int level, const char *plugin, const char *fmt, ...)
{
    char tag[96], msg[512];
    va_list ap;

    if (level > ogid_log_level)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(tag, sizeof tag, "plugin:%s", plugin);
    ogid_log_write(level, tag, "%s", msg);
}

static const struct ogid_host host = {
    .struct_size = sizeof(struct ogid_host),
    .log = host_log,
    .max_input_bytes = 256u << 20,
    .max_expanded_bytes = 64u << 20,
    .max_cells = 200000,
};

/* The <name> of .../ogid-<name>.so, or 0 when the file is not so named. */
static int plugin_name(const char *path, char *name, size_t len)
{
    const char *base = strrchr(path, '/');
    size_t n;

    base = base ? base + 1 : path;
    if (strncmp(base, "ogid-", 5) != 0)
        return 0;
    base += 5;
    n = strlen(base);
    if (n <= 3 || strcmp(base + n - 3, ".so") != 0 || n - 3 >= len)
        return 0;
    memcpy(name, base, n - 3);
    name[n - 3] = '\0';
    return 1;
}

int ogid_plugin_open(const char *path, const struct ogid_plugin **out, void **handle,
                     char *err, size_t errlen)
{
    char name[64], sym[96];
    uv_lib_t *lib = calloc(1, sizeof *lib);
    const struct ogid_plugin *p = NULL;

    if (lib == NULL)
        return OGID_ENOMEM;
    if (!plugin_name(path, name, sizeof name)) {
        snprintf(err, errlen, "%s: not a plugin file name (ogid-<name>.so)", path);
        goto fail_nolib;
    }
    if (uv_dlopen(path, lib) != 0) {
        snprintf(err, errlen, "%s: cannot load: %s", path, uv_dlerror(lib));
        uv_dlclose(lib);
        goto fail_nolib;
    }
    snprintf(sym, sizeof sym, "ogid_plugin_%s", name);
    if (uv_dlsym(lib, sym, (void **)&p) != 0 || p == NULL) {
        snprintf(err, errlen, "%s: no entry point %s", path, sym);
        goto fail;
    }
    if (p->abi_major != OGID_PLUGIN_ABI_MAJOR) {
        snprintf(err, errlen, "%s: built for plugin ABI %u.x, this ogid has %u.%u",
                 path, p->abi_major, OGID_PLUGIN_ABI_MAJOR, OGID_PLUGIN_ABI_MINOR);
        goto fail;
    }
    if (p->abi_minor > OGID_PLUGIN_ABI_MINOR) {
        snprintf(err, errlen, "%s: needs plugin ABI %u.%u, newer than this ogid's %u.%u",
                 path, p->abi_major, p->abi_minor, OGID_PLUGIN_ABI_MAJOR,
                 OGID_PLUGIN_ABI_MINOR);
        goto fail;
    }
    if (p->struct_size < sizeof(struct ogid_plugin)) {
        snprintf(err, errlen, "%s: descriptor is %u bytes, ABI %u.%u needs %zu", path,
                 p->struct_size, p->abi_major, p->abi_minor, sizeof(struct ogid_plugin));
        goto fail;
    }
    if (p->name == NULL || strcmp(p->name, name) != 0) {
        snprintf(err, errlen, "%s: descriptor names the plugin \"%s\", the file \"%s\"",
                 path, p->name ? p->name : "(null)", name);
        goto fail;
    }
    if (p->kind != OGID_PLUGIN_FORMAT) {
        snprintf(err, errlen, "%s: unknown plugin kind %u", path, p->kind);
        goto fail;
    }
    if (p->probe == NULL || p->parse == NULL || p->format == NULL) {
        snprintf(err, errlen, "%s: format plugin without %s", path,
                 p->probe == NULL ? "a probe callback"
                 : p->parse == NULL ? "a parse callback" : "a format name");
        goto fail;
    }
    *out = p;
    *handle = lib;
    return 0;
fail:
    uv_dlclose(lib);
fail_nolib:
    free(lib);
    return OGID_EPLUGIN;
}

void ogid_plugin_close(void *handle)
{
    if (handle == NULL)
        return;
    uv_dlclose(handle);
    free(handle);
}

static void append_line(char *buf, size_t len, const char *line)
{
    size_t used = strlen(buf);

    if (used + 1 < len)
        snprintf(buf + used, len - used, "%s\n", line);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int ogid_plugins_load(const char *dir, struct ogid_plugins **out, char *errbuf,
                      size_t errlen)
{
    struct ogid_plugins *ps = calloc(1, sizeof *ps);
    char *names[MAX_PLUGINS];
    size_t n_names = 0;
    DIR *d;
    struct dirent *de;

    if (errbuf && errlen)
        errbuf[0] = '\0';
    if (ps == NULL)
        return OGID_ENOMEM;
    d = opendir(dir);
    if (d == NULL) {
        char line[PATH_MAX + 64];
        snprintf(line, sizeof line, "%s: cannot open plugin folder", dir);
        append_line(errbuf, errlen, line);
        free(ps);
        return OGID_ENOENT;
    }
    while ((de = readdir(d)) != NULL && n_names < MAX_PLUGINS) {
        char name[64];
        if (plugin_name(de->d_name, name, sizeof name))
            names[n_names++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n_names, sizeof names[0], by_name);
    for (size_t i = 0; i < n_names; i++) {
        char path[PATH_MAX], err[PATH_MAX + 256];
        const struct ogid_plugin *p;
        void *h;

        if (names[i] == NULL)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        free(names[i]);
        if (ogid_plugin_open(path, &p, &h, err, sizeof err) != 0) {
            append_line(errbuf, errlen, err);
            continue;
        }
        if (p->init != NULL && p->init(&host) != 0) {
            snprintf(err, sizeof err, "%s: init failed", path);
            append_line(errbuf, errlen, err);
            ogid_plugin_close(h);
            continue;
        }
        ps->v[ps->n].p = p;
        ps->v[ps->n].lib = h;
        ps->n++;
    }
    if (ps->n == 0) {
        char line[PATH_MAX + 64];
        snprintf(line, sizeof line, "%s: no usable format plugin", dir);
        append_line(errbuf, errlen, line);
        free(ps);
        return OGID_ENOENT;
    }
    *out = ps;
    return 0;
}

void ogid_plugins_free(struct ogid_plugins *ps)
{
    if (ps == NULL)
        return;
    for (size_t i = 0; i < ps->n; i++) {
        if (ps->v[i].p->fini != NULL)
            ps->v[i].p->fini();
        ogid_plugin_close(ps->v[i].lib);
    }
    free(ps);
}

/* 1 when the file name's extension names this plugin's format. */
static int name_suggests(const char *name, const char *format)
{
    const char *dot = name ? strrchr(name, '.') : NULL;

    if (dot == NULL)
        return 0;
    dot++;
    if (strcasecmp(dot, format) == 0)
        return 1;
    if (strcmp(format, "html") == 0)
        return strcasecmp(dot, "htm") == 0 || strcasecmp(dot, "shtml") == 0;
    if (strcmp(format, "text") == 0)
        return strcasecmp(dot, "txt") == 0;
    return 0;
}

const struct ogid_plugin *ogid_plugins_pick(const struct ogid_plugins *ps,
                                            const struct ogid_input *in)
{
    const struct ogid_plugin *best = NULL;
    int best_score = 0, best_hint = 0;

    for (size_t i = 0; i < ps->n; i++) {
        const struct ogid_plugin *p = ps->v[i].p;
        int score = p->probe(in), hint = name_suggests(in->name, p->format);

        if (score <= 0 || score > 100)
            continue;
        if (score > best_score || (score == best_score && hint && !best_hint)) {
            best = p;
            best_score = score;
            best_hint = hint;
        }
    }
    return best;
}

size_t ogid_plugins_count(const struct ogid_plugins *ps)
{
    return ps->n;
}

const struct ogid_plugin *ogid_plugins_get(const struct ogid_plugins *ps, size_t i)
{
    return i < ps->n ? ps->v[i].p : NULL;
}
