/* Where ogid's bundled files are: the rules, the form definitions, the
 * calendar data and the plugins, found from the path of the running
 * executable.
 *
 * An installed ogid is PREFIX/bin/ogid, with its data in
 * PREFIX/OGID_DATADIR_REL (share/ogid) and its plugins in
 * PREFIX/OGID_PLUGINDIR_REL (lib/ogid); both come from the generated
 * ogid/ogid_version.h. A binary with no PREFIX/share/ogid/rules beside it is
 * taken to run from the build tree: the data is then read from the source
 * tree (OGID_SOURCE_DIR) and the plugins from the build tree (OGID_BUILD_DIR),
 * both compile definitions of ogid_core. So `./build/ogid run` works without
 * installing anything.
 *
 * Environment variables override what is found, for tests and for trying
 * out another tree of rules without installing it:
 *
 *   OGID_RULES_DIR   the bundled rules folder; forms and data follow it
 *                    (DIR/forms, DIR/data) unless overridden themselves
 *   OGID_FORMS_DIR   the form definitions (*.yaml)
 *   OGID_DATA_DIR    the calendar data
 *   OGID_PLUGIN_DIR  the folder of ogid-*.so
 *
 * A relative value is taken against the working directory; an empty one is
 * ignored. Everything is computed once, at the first call, into static
 * buffers, so a variable set after that has no effect. */
#include "ogid_paths.h"
#include "ogid/ogid_version.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if !defined(OGID_SOURCE_DIR) || !defined(OGID_BUILD_DIR)
#error "OGID_SOURCE_DIR and OGID_BUILD_DIR must be defined (see CMakeLists.txt)"
#endif

static bool done;
static char self_path[PATH_MAX];
static char rules_dir[PATH_MAX];
static char forms_dir[PATH_MAX];
static char data_dir[PATH_MAX];
static char plugin_dir[PATH_MAX];

/* Writes "a/b" into buf. Returns false when it does not fit, leaving buf
 * unchanged, so that a caller can keep the value it had. */
static bool join(char *buf, const char *a, const char *b)
{
    char tmp[PATH_MAX];
    int n = snprintf(tmp, sizeof tmp, "%s/%s", a, b);

    if (n < 0 || (size_t)n >= sizeof tmp)
        return false;
    memcpy(buf, tmp, (size_t)n + 1);
    return true;
}

/* Copies the environment variable `name` into buf when it is set and not
 * empty, made absolute against the working directory. Returns whether it
 * did. */
static bool from_env(char *buf, const char *name)
{
    const char *v = getenv(name);
    char cwd[PATH_MAX];
    size_t len;

    if (v == NULL || *v == '\0')
        return false;
    if (v[0] != '/') {
        if (getcwd(cwd, sizeof cwd) == NULL)
            return false;
        return join(buf, cwd, v);
    }
    len = strlen(v);
    if (len >= PATH_MAX)
        return false;
    memcpy(buf, v, len + 1);
    return true;
}

static bool is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Finds the executable. When the binary was replaced on disk after it
 * started (a package upgrade), the kernel appends " (deleted)" to the link;
 * dropping it keeps the prefix right and points a re-exec of a worker at the
 * new binary, which is what an upgrade means. */
static void find_self(void)
{
    static const char deleted[] = " (deleted)";
    ssize_t n = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
    size_t dl = sizeof deleted - 1;

    if (n <= 0 || (size_t)n >= sizeof self_path - 1) {
        /* No /proc (or an absurd path): the link itself still executes
         * this binary, and the build-tree layout below is used. */
        snprintf(self_path, sizeof self_path, "%s", "/proc/self/exe");
        return;
    }
    self_path[n] = '\0';
    if ((size_t)n > dl && strcmp(self_path + n - dl, deleted) == 0)
        self_path[n - dl] = '\0';
}

/* Tries the installed layout: EXE_DIR/../OGID_DATADIR_REL/rules. The
 * prefix is written without "..", so the paths read well in messages; that
 * is safe because /proc/self/exe is already free of symbolic links. */
static bool find_installed(void)
{
    char prefix[PATH_MAX];
    char share[PATH_MAX];
    char *slash;

    memcpy(prefix, self_path, sizeof prefix);
    if (prefix[0] != '/')
        return false;
    slash = strrchr(prefix, '/'); /* ends EXE_DIR */
    *slash = '\0';
    slash = strrchr(prefix, '/'); /* ends PREFIX; "" for the root */
    if (slash == NULL)
        return false;
    *slash = '\0';

    if (!join(share, prefix, OGID_DATADIR_REL "/rules") || !is_dir(share))
        return false;
    if (!join(rules_dir, prefix, OGID_DATADIR_REL "/rules") ||
        !join(forms_dir, prefix, OGID_DATADIR_REL "/rules/forms") ||
        !join(data_dir, prefix, OGID_DATADIR_REL "/rules/data") ||
        !join(plugin_dir, prefix, OGID_PLUGINDIR_REL))
        return false;
    return true;
}

static void find_all(void)
{
    if (done)
        return;
    done = true;

    find_self();
    if (!find_installed()) {
        snprintf(rules_dir, sizeof rules_dir, "%s", OGID_SOURCE_DIR "/rules");
        snprintf(forms_dir, sizeof forms_dir, "%s", OGID_SOURCE_DIR "/rules/forms");
        snprintf(data_dir, sizeof data_dir, "%s", OGID_SOURCE_DIR "/rules/data");
        snprintf(plugin_dir, sizeof plugin_dir, "%s", OGID_BUILD_DIR "/plugins");
    }

    if (from_env(rules_dir, "OGID_RULES_DIR")) {
        join(forms_dir, rules_dir, "forms");
        join(data_dir, rules_dir, "data");
    }
    from_env(forms_dir, "OGID_FORMS_DIR");
    from_env(data_dir, "OGID_DATA_DIR");
    from_env(plugin_dir, "OGID_PLUGIN_DIR");
}

const char *ogid_paths_rules(void)
{
    find_all();
    return rules_dir;
}

const char *ogid_paths_forms(void)
{
    find_all();
    return forms_dir;
}

const char *ogid_paths_data(void)
{
    find_all();
    return data_dir;
}

const char *ogid_paths_plugins(void)
{
    find_all();
    return plugin_dir;
}

const char *ogid_paths_self(void)
{
    find_all();
    return self_path;
}
