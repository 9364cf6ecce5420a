/* The form recogniser: maps a neutral document onto a form definition
 * (the YAML files in rules/forms) and builds the report model of REPORT-MODEL.md as a
 * jansson object. It never emits findings; what it cannot place it records
 * in the model's "notes". */
#ifndef OGID_RECOGNISE_H
#define OGID_RECOGNISE_H

#include <jansson.h>

#include "ogid_document.h"

struct ogid_forms; /* the loaded form definitions, see ogid_form.h */

/* Loads every *.yaml form definition in `dir`. On error returns
 * OGID_ECONFIG/OGID_ENOENT/OGID_ENOMEM and writes "FILE:LINE:COLUMN: message"
 * into errbuf. The caller frees *out with ogid_forms_free. */
int ogid_forms_load(const char *dir, struct ogid_forms **out, char *errbuf,
                    size_t errlen);
void ogid_forms_free(struct ogid_forms *forms);

/* Recognises `doc`. `source` is the model's "source" object (file, sha256,
 * bytes, format, encoding); the recogniser takes a reference to it. On
 * success *model is a new reference to the whole model (model, source, meta,
 * sections, active, requests, appeals, notes). Returns 0 or OGID_ENOMEM. */
int ogid_recognise(const struct ogid_document *doc, const struct ogid_forms *forms,
                   json_t *source, json_t **model);

#endif
