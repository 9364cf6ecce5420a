/* Where ogid's bundled files are: rules, forms, calendar and plugins.
 *
 * Installed, the binary is PREFIX/bin/ogid and the data is under
 * PREFIX/share/ogid and PREFIX/lib/ogid; run from the build tree, the data is
 * in the source tree and the plugins in the build tree. */
#ifndef OGID_PATHS_H
#define OGID_PATHS_H

/* Each returns a static absolute path; never NULL. Call from one thread. */
const char *ogid_paths_rules(void);   /* bundled rules folder */
const char *ogid_paths_forms(void);   /* rules/forms */
const char *ogid_paths_data(void);    /* rules/data (calendar) */
const char *ogid_paths_plugins(void); /* folder of ogid-*.so */
const char *ogid_paths_self(void);    /* this executable */

#endif
