#include "ss_cli.h"

#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "ss_number.h"

const struct option ss_cli_options[] = {
    {"weights", required_argument, NULL, SS_OPT_WEIGHTS},
    {"strata", required_argument, NULL, SS_OPT_STRATA},
    {"ids", required_argument, NULL, SS_OPT_IDS},
    {"fpc", required_argument, NULL, SS_OPT_FPC},
    {"nest", no_argument, NULL, SS_OPT_NEST},
    {"lonely-psu", required_argument, NULL, SS_OPT_LONELY},
    {"na", required_argument, NULL, SS_OPT_NA},
    {"delimiter", required_argument, NULL, 'd'},
    {"encoding", required_argument, NULL, SS_OPT_ENCODING},
    {"format", required_argument, NULL, SS_OPT_FORMAT},
    {"output", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

void ss_cli_init(ss_cli *c, const char *cmd)
{
    memset(c, 0, sizeof *c);
    c->cmd = cmd;
    c->read.delimiter = ',';
    c->design.lonely = SS_LONELY_FAIL;
    c->format = SS_FMT_TEXT;
}

void ss_cli_free(ss_cli *c)
{
    for (size_t i = 0; i < c->nowned; i++)
        free(c->owned[i]);
    free(c->owned);
    free(c->na);
    memset(c, 0, sizeof *c);
}

static char *own(ss_cli *c, const char *s)
{
    if (c->nowned == c->owned_cap) {
        size_t cap = c->owned_cap ? 2 * c->owned_cap : 16;
        char **p = realloc(c->owned, cap * sizeof *p);
        if (!p)
            return NULL;
        c->owned = p;
        c->owned_cap = cap;
    }
    char *copy = strdup(s);
    if (copy)
        c->owned[c->nowned++] = copy;
    return copy;
}

int ss_cli_split(ss_cli *c, const char *arg, char sep, const char **items,
                 size_t max, size_t *n, const char *option, ss_error *err)
{
    char *s = own(c, arg);
    if (!s)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    *n = 0;
    for (char *p = s;;) {
        char *e = strchr(p, sep);
        if (e)
            *e = '\0';
        if (*p == '\0')
            return ss_error_set(err, SS_EUSAGE, NULL, 0, "%s: empty item in '%s'", option, arg);
        if (*n == max)
            return ss_error_set(err, SS_EUSAGE, NULL, 0, "%s: more than %zu items in '%s'",
                                option, max, arg);
        items[(*n)++] = p;
        if (!e)
            break;
        p = e + 1;
    }
    return SS_OK;
}

int ss_cli_number(const char *arg, const char *option, double *out, ss_error *err)
{
    if (ss_number_parse(arg, strlen(arg), out) != 0)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "%s: invalid number '%s'", option, arg);
    return SS_OK;
}

int ss_cli_option(ss_cli *c, int opt, const char *arg, ss_error *err)
{
    size_t n;
    switch (opt) {
    case SS_OPT_WEIGHTS:
        c->design.weights = arg;
        return 1;
    case SS_OPT_STRATA:
        c->design.strata = arg;
        return 1;
    case SS_OPT_IDS:
        if (ss_cli_split(c, arg, ',', c->design.ids, SS_MAX_STAGES, &n, "--ids", err))
            return -1;
        c->design.nids = n;
        return 1;
    case SS_OPT_FPC:
        if (ss_cli_split(c, arg, ',', c->design.fpc, SS_MAX_STAGES, &n, "--fpc", err))
            return -1;
        c->design.nfpc = n;
        return 1;
    case SS_OPT_NEST:
        c->design.nest = 1;
        return 1;
    case SS_OPT_LONELY: {
        static const struct {
            const char *name;
            ss_lonely rule;
        } rules[] = {{"fail", SS_LONELY_FAIL},       {"remove", SS_LONELY_REMOVE},
                     {"adjust", SS_LONELY_ADJUST},   {"average", SS_LONELY_AVERAGE},
                     {"certainty", SS_LONELY_CERTAINTY}};
        for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
            if (strcmp(arg, rules[i].name) == 0) {
                c->design.lonely = rules[i].rule;
                return 1;
            }
        ss_error_set(err, SS_EUSAGE, NULL, 0,
                     "--lonely-psu: unknown rule '%s' (fail, remove, adjust, average, certainty)",
                     arg);
        return -1;
    }
    case SS_OPT_NA: {
        const char *items[256];
        if (ss_cli_split(c, arg, ',', items, 256, &n, "--na", err))
            return -1;
        const char **p = realloc(c->na, (c->nna + n) * sizeof *p);
        if (!p) {
            ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            return -1;
        }
        c->na = p;
        for (size_t i = 0; i < n; i++)
            c->na[c->nna++] = items[i];
        c->read.na = c->na;
        c->read.nna = c->nna;
        return 1;
    }
    case 'd':
        if (strcmp(arg, "\\t") == 0 || strcmp(arg, "tab") == 0) {
            c->read.delimiter = '\t';
        } else if (strlen(arg) == 1 && arg[0] != '"' && arg[0] != '\n' && arg[0] != '\r') {
            c->read.delimiter = arg[0];
        } else {
            ss_error_set(err, SS_EUSAGE, NULL, 0,
                         "--delimiter: expected one character or 'tab', got '%s'", arg);
            return -1;
        }
        return 1;
    case SS_OPT_ENCODING: {
        iconv_t cd = iconv_open("UTF-8", arg);
        if (cd == (iconv_t)-1) {
            ss_error_set(err, SS_EUSAGE, NULL, 0, "--encoding: unknown encoding '%s'", arg);
            return -1;
        }
        iconv_close(cd);
        c->read.encoding = arg;
        return 1;
    }
    case SS_OPT_FORMAT:
        if (ss_format_parse(arg, &c->format) != 0) {
            ss_error_set(err, SS_EUSAGE, NULL, 0,
                         "--format: unknown format '%s' (text, csv, json, md)", arg);
            return -1;
        }
        c->format_set = 1;
        return 1;
    case 'o':
        c->output = arg;
        return 1;
    default:
        return 0;
    }
}

int ss_cli_write(ss_cli *c, const ss_grid *g, ss_error *err)
{
    ss_format f = c->format_set ? c->format : ss_format_for_path(c->output, SS_FMT_TEXT);
    ss_output out;
    int rc = ss_output_open(&out, c->output, err);
    if (rc != SS_OK)
        return rc;
    if (ss_grid_write(out.fp, g, f) != 0) {
        const char *name = c->output ? c->output : "standard output";
        ss_error_set(err, SS_EDATA, NULL, 0, "write error on %s", name);
        ss_output_abort(&out);
        return SS_EDATA;
    }
    return ss_output_commit(&out, err);
}
