/* Reading result files back.  See ss_resultfile.h. */
#include "ss_resultfile.h"

#include <math.h>
#include <string.h>

static const char *cell(const ss_column *c, size_t i)
{
    return c && c->code[i] >= 0 ? c->levels.str[c->code[i]] : "";
}

int ss_result_read(ss_result *out, const char *path, const ss_read_options *ro, ss_error *err)
{
    static const char *const text[] = {"wave", "statistic", "variable", "level", "domain",
                                       "flag"};
    static const char *const num[] = {"estimate", "se", "ci_low", "ci_high", "df",
                                      "deff",     "n",  "n_eff",  "cv"};
    ss_table t = {0};
    ss_read_options o = *ro;
    o.all_columns = 1;
    o.nna = 0;
    int rc = ss_table_read(&t, path, &o, NULL, 0, err);
    const ss_column *tc[6], *nc[9];
    for (size_t k = 0; k < 6 && rc == SS_OK; k++)
        tc[k] = ss_table_find(&t, text[k]);
    for (size_t k = 0; k < 9 && rc == SS_OK; k++)
        nc[k] = ss_table_find(&t, num[k]);
    for (size_t k = 1; k < 5 && rc == SS_OK; k++)
        if (!tc[k])
            rc = ss_error_set(err, SS_EDATA, path, 1, "no column '%s': not a result file",
                              text[k]);
    for (size_t k = 0; k < 2 && rc == SS_OK; k++)
        if (!nc[k])
            rc = ss_error_set(err, SS_EDATA, path, 1, "no column '%s': not a result file",
                              num[k]);
    for (size_t i = 0; i < t.nrow && rc == SS_OK; i++) {
        ss_result_row *r = ss_result_add(out, cell(tc[1], i), cell(tc[2], i), cell(tc[3], i),
                                         cell(tc[4], i));
        if (!r || ss_result_set_str(&r->wave, cell(tc[0], i)) != 0 ||
            ss_result_set_str(&r->flag, cell(tc[5], i)) != 0) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            break;
        }
        double *dst[] = {&r->estimate, &r->se, &r->ci_low, &r->ci_high, &r->df,
                         &r->deff,     &r->n,  &r->n_eff,  &r->cv};
        for (size_t k = 0; k < 9; k++) {
            if (!nc[k] || nc[k]->code[i] < 0)
                continue;
            double v = nc[k]->level_num[nc[k]->code[i]];
            if (isnan(v)) {
                rc = ss_error_set(err, SS_EDATA, path, ss_table_line(&t, i),
                                  "column '%s': invalid number '%s'", num[k], cell(nc[k], i));
                break;
            }
            *dst[k] = v;
        }
    }
    ss_table_free(&t);
    return rc;
}

long ss_result_find(const ss_result *r, const ss_result_row *k)
{
    for (size_t i = 0; i < r->n; i++) {
        const ss_result_row *x = &r->row[i];
        if (strcmp(x->statistic, k->statistic) == 0 && strcmp(x->variable, k->variable) == 0 &&
            strcmp(x->level, k->level) == 0 && strcmp(x->domain, k->domain) == 0)
            return (long)i;
    }
    return -1;
}
