/* Loading format plugins (ogid-<name>.so) and choosing one for a file. */
#ifndef OGID_PLUGIN_LOADER_H
#define OGID_PLUGIN_LOADER_H

#include <stddef.h>

#include "ogid/ogid_plugin.h"

struct ogid_plugins;

/* Loads one plugin file and checks it against the ABI. On refusal returns
 * OGID_EPLUGIN with the reason in err (one line naming the file). On success
 * *out is the plugin's descriptor and *handle must be closed with
 * ogid_plugin_close after fini. */
int ogid_plugin_open(const char *path, const struct ogid_plugin **out, void **handle,
                     char *err, size_t errlen);
void ogid_plugin_close(void *handle);

/* Loads and initialises every ogid-*.so in dir. A refused plugin fails alone:
 * its reason is appended as a line to errbuf and the others load. Returns 0,
 * OGID_ENOENT when dir cannot be read or holds no usable format plugin, or
 * OGID_ENOMEM. Free with ogid_plugins_free. */
int ogid_plugins_load(const char *dir, struct ogid_plugins **out, char *errbuf,
                      size_t errlen);
void ogid_plugins_free(struct ogid_plugins *ps);

/* The format plugin that reads `in` best (highest probe score; ties go to the
 * one whose format the file name's extension names), or NULL when none
 * scores above 0. */
const struct ogid_plugin *ogid_plugins_pick(const struct ogid_plugins *ps,
                                            const struct ogid_input *in);

size_t ogid_plugins_count(const struct ogid_plugins *ps);
const struct ogid_plugin *ogid_plugins_get(const struct ogid_plugins *ps, size_t i);

#endif
