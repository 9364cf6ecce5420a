/* The rule test runner behind `ogid rules test`: runs the test cases that sit
 * beside the rules (rules/<area>/<rule>.test.yaml) through the real pipeline
 * and says PASS or FAIL for each. The case format is documented in
 * rules/README.md. */
#ifndef OGID_RULES_TEST_H
#define OGID_RULES_TEST_H

#include <stdio.h>

struct ogid_pipeline;
struct ogid_config;

/* Finds every *.test.yaml under cfg's rule paths (in folders, recursively,
 * skipping lib/, tests/ and hidden folders; beside a rule file given as a
 * path) and runs each case's rule, as loaded in p (ogid_pipeline_new with
 * rules, so with the config's settings checked), on the case's input parsed
 * through p. Writes one line per case to out, "PASS <rule>: <name>" or
 * "FAIL <rule>: <name> — <why>" (a file that cannot be read counts as one
 * failed case, named by its path), then "N passed, M failed" alone on the
 * last line; notes (rules without cases) go to err. Sets *passed and *failed.
 * Returns 0, or OGID_ENOMEM. Call from the thread that owns p. */
int ogid_rules_test(struct ogid_pipeline *p, const struct ogid_config *cfg, FILE *out, FILE *err,
                    unsigned *passed, unsigned *failed);

#endif
