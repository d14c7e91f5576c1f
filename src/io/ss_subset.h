/* ss_subset: the condition of --subset EXPR (R's subset(design, EXPR)),
 * parsed once and evaluated over a column table into a row mask.
 *
 * EXPR is R's syntax, parsed here by a small recursive-descent parser and
 * never evaluated by anything else:
 *   or   := and ('|' and)*
 *   and  := not ('&' not)*
 *   not  := '!' not | comp                 (R: '!' binds looser than '==')
 *   comp := term [('=='|'!='|'<'|'<='|'>'|'>=') term]   (not chained)
 *   term := COLUMN ['%in%' 'c' '(' LITERAL (',' LITERAL)* ')']
 *         | 'is.na' '(' COLUMN ')' | LITERAL | '(' or ')'
 * A comparison has a column on one side and a literal on the other: a
 * number (R's syntax, with an optional sign and a trailing L), a string in
 * single or double quotes (R's backslash escapes), or NA.  A column is a
 * name in R's syntax or in backquotes.  A column alone is a condition when
 * it is logical (TRUE/FALSE, T/F) or numeric (not 0, as R's subset).
 * '&&' and '||' are refused: R applies them to the first row alone.
 *
 * Values, as R compares them:
 *   - a number against a numeric column compares numbers; against a text
 *     column '==', '!=' and '%in%' compare a level that reads as a number
 *     numerically, and '<' and the like are a usage error (R would compare
 *     the texts: "10" < "9");
 *   - a string matches a level by ss_subset_level_matches; '<' and the
 *     like compare numbers when the column is numeric and the string reads
 *     as one, else bytes (R in the C locale);
 *   - a missing value makes a comparison NA, which '&', '|' and '!'
 *     propagate as R's three-valued logic; '%in%' is never NA (R's match:
 *     a missing value is in the list only when the list holds NA);
 *     is.na() is never NA.  A row whose condition is NA is outside.
 *
 * Errors (usage errors, exit 2): a malformed EXPR, an unknown column, a
 * text column compared by order with a number: one line naming the
 * problem, then EXPR and a caret under the place.
 *
 * Ownership: ss_subset_parse makes the object, ss_subset_free releases it
 * (NULL accepted); the names of ss_subset_columns belong to it. */
#ifndef SS_SUBSET_H
#define SS_SUBSET_H

#include <stddef.h>
#include <stdint.h>

#include "ss_error.h"
#include "ss_table.h"

typedef struct ss_subset ss_subset;

/* Parse expr; *out is the condition, or NULL with err filled (SS_EUSAGE;
 * the message names `option`, as "--subset"). */
int ss_subset_parse(const char *expr, const char *option, ss_subset **out, ss_error *err);
void ss_subset_free(ss_subset *s);

/* The columns EXPR names, each once, in the order they first appear. */
size_t ss_subset_columns(const ss_subset *s, const char *const **names);

/* The text EXPR as given. */
const char *ss_subset_text(const ss_subset *s);

/* An unknown column: if name is one of EXPR's columns, fill err with the
 * usage error that points at it and return SS_EUSAGE, else return SS_OK. */
int ss_subset_unknown(const ss_subset *s, const char *name, ss_error *err);

/* keep[i] = 1 when row i is in the subset (EXPR is TRUE), else 0.  The
 * columns of EXPR must be in t, read as categories (SS_NEED_CATEGORY). */
int ss_subset_eval(const ss_subset *s, const ss_table *t, unsigned char *keep, ss_error *err);

/* Whether level `code` of column c matches the quoted string s of EXPR:
 * its text is s, or both read as the same number.  The one place where a
 * string meets a level, so that value labels can match here too. */
int ss_subset_level_matches(const ss_column *c, int32_t code, const char *s);

#endif
