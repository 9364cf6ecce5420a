/* The request register (依申请公开登记台账): an office's spreadsheet of the
 * disclosure requests it received, one row a request, which proves what the
 * annual report only states — that every reply was on time (条例 arts.
 * 30-33), that fees followed the national tiers, and that table 三 counts
 * what the office handled.
 *
 * A document is a register when one of its tables has a header row naming at
 * least three register columns (编号, 申请人, 收到日期, 答复日期, …, or their
 * English aliases). Such a document is not given to the form recogniser: it
 * becomes the register model instead, {"model":1, "kind":"register", source,
 * meta {agency, year, title}, columns, rows, counts, notes}, described in
 * full in tests/fixtures/registers/README.md. Rules see it as they see a
 * report, with report.kind == "register". */
#ifndef OGID_REGISTER_H
#define OGID_REGISTER_H

#include <jansson.h>

#include "ogid_document.h"

/* 1 when doc holds a register table (a table with a header row, among its
 * first rows, naming at least three register columns), else 0. Reads only;
 * any thread. */
int ogid_register_detect(const struct ogid_document *doc);

/* Builds the register model of doc. `source` is the model's "source" object
 * (file, sha256, bytes, format, encoding); the model takes a reference to it
 * and its "file" is where the agency and year are read from when the
 * document does not say (<agency>-<year>-台账.csv). On success *model is a
 * new reference the caller releases. Dates are "YYYY-MM-DD" or null, and a
 * value that cannot be read becomes null with a note naming its line and
 * column; the builder never fails on content. Returns 0, OGID_EINVAL (doc
 * holds no register table) or OGID_ENOMEM. Any thread. */
int ogid_register_build(const struct ogid_document *doc, json_t *source, json_t **model);

#endif
