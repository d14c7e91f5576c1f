/* ss_formula: R model formulas and their model matrix (R's terms.formula
 * and model.matrix.default with contr.treatment).
 *
 * Parsing works on sets of terms, a term being a set of variables (a
 * 64-bit mask over the variables in order of first appearance):
 *   inter  atom (':' atom)*         A:B = { a | b : a in A, b in B }
 *   prod   inter ('*' inter)*       A*B = A + B + A:B
 *   sum    prod (('+'|'-') prod)*   + adds terms, - removes them
 *   atom   NAME | `NAME` | factor(NAME) | 1 | 0 | '(' sum ')'
 * The intercept is the empty term; `0` (or `-1`) removes it. */
#include "ss_formula.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VARS 64
#define MAX_TERMS 256

typedef struct tset {
    size_t n;
    uint64_t t[MAX_TERMS];
    int zero; /* the atom 0 (no intercept) */
} tset;

typedef struct parser {
    const char *s;
    size_t pos;
    ss_formula *f;
    ss_error *err;
    int failed;
} parser;

static int fail_at(parser *p, size_t at, const char *what)
{
    if (p->failed)
        return -1;
    p->failed = 1;
    int len = (int)strlen(p->s);
    ss_error_set(p->err, SS_EUSAGE, NULL, 0,
                 "--formula: %s at character %zu (marked ^): '%.*s^%s'", what, at + 1,
                 (int)at < len ? (int)at : len, p->s, (int)at < len ? p->s + at : "");
    return -1;
}

static void skip(parser *p)
{
    while (p->s[p->pos] && isspace((unsigned char)p->s[p->pos]))
        p->pos++;
}

static int name_char(int c, int first)
{
    return isalpha(c) || c == '.' || c == '_' || (!first && isdigit(c)) || c >= 0x80;
}

/* A name at pos (R's syntactic name or `backquoted`): a malloc'd copy. */
static char *read_name(parser *p)
{
    const char *s = p->s;
    size_t at = p->pos, len;
    if (s[at] == '`') {
        const char *e = strchr(s + at + 1, '`');
        if (!e || e == s + at + 1) {
            fail_at(p, at, "unterminated or empty `name`");
            return NULL;
        }
        len = (size_t)(e - (s + at + 1));
        p->pos = (size_t)(e - s) + 1;
        char *out = malloc(len + 1);
        if (out) {
            memcpy(out, s + at + 1, len);
            out[len] = '\0';
        }
        return out;
    }
    if (!name_char((unsigned char)s[at], 1)) {
        fail_at(p, at, "expected a variable name");
        return NULL;
    }
    len = 0;
    while (name_char((unsigned char)s[at + len], 0))
        len++;
    p->pos = at + len;
    char *out = malloc(len + 1);
    if (out) {
        memcpy(out, s + at, len);
        out[len] = '\0';
    }
    return out;
}

static int add_var(parser *p, char *column, int factor, size_t *index)
{
    ss_formula *f = p->f;
    char label[1100];
    snprintf(label, sizeof label, factor ? "factor(%s)" : "%s", column);
    for (size_t v = 0; v < f->nvars; v++)
        if (strcmp(f->vars[v].label, label) == 0) {
            free(column);
            *index = v;
            return 0;
        }
    if (f->nvars == MAX_VARS) {
        free(column);
        return fail_at(p, p->pos, "more than 64 variables");
    }
    ss_formula_var *nv = realloc(f->vars, (f->nvars + 1) * sizeof *nv);
    char *lab = strdup(label);
    if (!nv || !lab) {
        free(lab);
        free(column);
        if (nv)
            f->vars = nv;
        p->failed = 1;
        return ss_error_set(p->err, SS_EDATA, NULL, 0, "out of memory") ? -1 : -1;
    }
    f->vars = nv;
    f->vars[f->nvars] = (ss_formula_var){lab, column, factor};
    *index = f->nvars++;
    return 0;
}

static int tset_add(parser *p, tset *a, uint64_t t)
{
    for (size_t k = 0; k < a->n; k++)
        if (a->t[k] == t)
            return 0;
    if (a->n == MAX_TERMS)
        return fail_at(p, p->pos, "more than 256 terms");
    a->t[a->n++] = t;
    return 0;
}

static int parse_sum(parser *p, tset *out);

static int parse_atom(parser *p, tset *out)
{
    out->n = 0;
    out->zero = 0;
    skip(p);
    const char *s = p->s;
    size_t at = p->pos;
    if (s[at] == '(') {
        p->pos++;
        if (parse_sum(p, out) != 0)
            return -1;
        skip(p);
        if (s[p->pos] != ')')
            return fail_at(p, p->pos, "expected ')'");
        p->pos++;
        return 0;
    }
    if (isdigit((unsigned char)s[at])) {
        if ((s[at] != '0' && s[at] != '1') || isdigit((unsigned char)s[at + 1]) ||
            s[at + 1] == '.')
            return fail_at(p, at, "a number other than 0 or 1 is not a term");
        p->pos++;
        if (s[at] == '0')
            out->zero = 1;
        else
            out->t[out->n++] = 0;
        return 0;
    }
    if (strncmp(s + at, "factor", 6) == 0) {
        size_t q = at + 6;
        while (isspace((unsigned char)s[q]))
            q++;
        if (s[q] == '(') {
            p->pos = q + 1;
            skip(p);
            char *name = read_name(p);
            if (!name)
                return -1;
            skip(p);
            if (s[p->pos] != ')') {
                free(name);
                return fail_at(p, p->pos, "expected ')' after factor(VAR");
            }
            p->pos++;
            size_t v;
            if (add_var(p, name, 1, &v) != 0)
                return -1;
            out->t[out->n++] = (uint64_t)1 << v;
            return 0;
        }
    }
    char *name = read_name(p);
    if (!name)
        return -1;
    skip(p);
    if (s[p->pos] == '(') {
        free(name);
        return fail_at(p, at, "only factor(VAR) may be called in a formula");
    }
    size_t v;
    if (add_var(p, name, 0, &v) != 0)
        return -1;
    out->t[out->n++] = (uint64_t)1 << v;
    return 0;
}

static int parse_inter(parser *p, tset *out)
{
    if (parse_atom(p, out) != 0)
        return -1;
    for (;;) {
        skip(p);
        if (p->s[p->pos] != ':')
            return 0;
        size_t at = p->pos++;
        tset b, r = {0};
        if (parse_atom(p, &b) != 0)
            return -1;
        if (out->zero || b.zero)
            return fail_at(p, at, "0 cannot be in an interaction");
        for (size_t i = 0; i < out->n; i++)
            for (size_t j = 0; j < b.n; j++)
                if (tset_add(p, &r, out->t[i] | b.t[j]) != 0)
                    return -1;
        *out = r;
    }
}

static int parse_prod(parser *p, tset *out)
{
    if (parse_inter(p, out) != 0)
        return -1;
    for (;;) {
        skip(p);
        if (p->s[p->pos] != '*')
            return 0;
        size_t at = p->pos++;
        tset b, r = {0};
        if (parse_inter(p, &b) != 0)
            return -1;
        if (out->zero || b.zero)
            return fail_at(p, at, "0 cannot be in an interaction");
        for (size_t i = 0; i < out->n; i++)
            if (tset_add(p, &r, out->t[i]) != 0)
                return -1;
        for (size_t j = 0; j < b.n; j++)
            if (tset_add(p, &r, b.t[j]) != 0)
                return -1;
        for (size_t i = 0; i < out->n; i++)
            for (size_t j = 0; j < b.n; j++)
                if (tset_add(p, &r, out->t[i] | b.t[j]) != 0)
                    return -1;
        *out = r;
    }
}

/* A sum: terms added and removed; out->t holds what is left, the empty
 * term 0 standing for an intercept asked for, out->zero for one removed. */
static int parse_sum(parser *p, tset *out)
{
    tset acc = {0};
    int sign = 1, first = 1;
    skip(p);
    if (p->s[p->pos] == '-') {
        sign = -1;
        p->pos++;
    } else if (p->s[p->pos] == '+') {
        p->pos++;
    }
    for (;;) {
        tset b;
        if (parse_prod(p, &b) != 0)
            return -1;
        if (sign > 0) {
            if (b.zero)
                acc.zero = 1;
            for (size_t j = 0; j < b.n; j++) {
                if (b.t[j] == 0)
                    acc.zero = 0;
                if (tset_add(p, &acc, b.t[j]) != 0)
                    return -1;
            }
        } else {
            for (size_t j = 0; j < b.n; j++) {
                if (b.t[j] == 0)
                    acc.zero = 1;
                size_t k = 0;
                for (size_t i = 0; i < acc.n; i++)
                    if (acc.t[i] != b.t[j])
                        acc.t[k++] = acc.t[i];
                acc.n = k;
            }
        }
        (void)first;
        first = 0;
        skip(p);
        char c = p->s[p->pos];
        if (c == '+')
            sign = 1;
        else if (c == '-')
            sign = -1;
        else
            break;
        p->pos++;
    }
    *out = acc;
    return 0;
}

static int popcount64(uint64_t x)
{
    int n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

static char *term_label(const ss_formula *f, const ss_formula_term *t)
{
    size_t len = 1;
    for (size_t k = 0; k < t->nvar; k++)
        len += strlen(f->vars[t->var[k]].label) + 1;
    char *s = malloc(len);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (size_t k = 0; k < t->nvar; k++) {
        if (k)
            strcat(s, ":");
        strcat(s, f->vars[t->var[k]].label);
    }
    return s;
}

int ss_formula_parse(const char *text, ss_formula *f, ss_error *err)
{
    memset(f, 0, sizeof *f);
    parser p = {text, 0, f, err, 0};
    skip(&p);
    if (text[p.pos] == '~')
        return fail_at(&p, p.pos, "expected the outcome before '~'") ? SS_EUSAGE : SS_EUSAGE;
    char *resp = read_name(&p);
    if (!resp)
        return err->code ? err->code : SS_EUSAGE;
    f->response = resp;
    skip(&p);
    if (text[p.pos] != '~') {
        fail_at(&p, p.pos, "expected '~' after the outcome");
        return SS_EUSAGE;
    }
    p.pos++;
    tset all;
    if (parse_sum(&p, &all) != 0)
        return err->code ? err->code : SS_EUSAGE;
    skip(&p);
    if (text[p.pos] != '\0') {
        fail_at(&p, p.pos, "unexpected text");
        return SS_EUSAGE;
    }
    f->intercept = !all.zero;
    /* terms by order, stable within an order */
    size_t nt = 0;
    for (size_t k = 0; k < all.n; k++)
        if (all.t[k] != 0)
            nt++;
    f->terms = calloc(nt ? nt : 1, sizeof *f->terms);
    if (!f->terms)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    for (int order = 1; order <= MAX_VARS; order++)
        for (size_t k = 0; k < all.n; k++) {
            if (all.t[k] == 0 || popcount64(all.t[k]) != order)
                continue;
            if (order > SS_FORMULA_MAX_ORDER)
                return ss_error_set(err, SS_EUSAGE, NULL, 0,
                                    "--formula: an interaction of more than %d variables",
                                    SS_FORMULA_MAX_ORDER);
            ss_formula_term *t = &f->terms[f->nterms++];
            for (size_t v = 0; v < f->nvars; v++)
                if (all.t[k] >> v & 1)
                    t->var[t->nvar++] = v;
            if (!(t->label = term_label(f, t)))
                return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        }
    if (f->nterms == 0 && !f->intercept)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--formula: '%s' has no terms and no intercept", text);
    return SS_OK;
}

void ss_formula_free(ss_formula *f)
{
    if (!f)
        return;
    free(f->response);
    for (size_t v = 0; v < f->nvars; v++) {
        free(f->vars[v].label);
        free(f->vars[v].column);
    }
    free(f->vars);
    for (size_t k = 0; k < f->nterms; k++)
        free(f->terms[k].label);
    free(f->terms);
    memset(f, 0, sizeof *f);
}

long ss_formula_find_term(const ss_formula *f, const char *label)
{
    /* split label at ':' into variable labels, in any order */
    uint64_t want = 0;
    const char *s = label;
    while (*s) {
        const char *e = strchr(s, ':');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        while (len && isspace((unsigned char)*s)) {
            s++;
            len--;
        }
        while (len && isspace((unsigned char)s[len - 1]))
            len--;
        int found = 0;
        for (size_t v = 0; v < f->nvars; v++)
            if (strlen(f->vars[v].label) == len && strncmp(f->vars[v].label, s, len) == 0) {
                want |= (uint64_t)1 << v;
                found = 1;
            }
        if (!found)
            return -1;
        s += len;
        while (*s && *s != ':')
            s++;
        if (*s == ':')
            s++;
    }
    for (size_t k = 0; k < f->nterms; k++) {
        uint64_t have = 0;
        for (size_t j = 0; j < f->terms[k].nvar; j++)
            have |= (uint64_t)1 << f->terms[k].var[j];
        if (have == want)
            return (long)k;
    }
    return -1;
}

/* ---- the model matrix ---- */

typedef struct var_info {
    const ss_column *col;
    int factor;
    size_t nlev;       /* levels in R's order, the reference first */
    int32_t *lev;      /* nlev level codes */
    int32_t *pos;      /* per code: its place in lev, -1 when not a level */
} var_info;

/* A column of the matrix: per variable of its term, a numeric value (-1)
 * or the place of the level whose indicator it is. */
typedef struct mcol {
    size_t term;
    long at[SS_FORMULA_MAX_ORDER];
} mcol;

static uint64_t term_mask(const ss_formula_term *t)
{
    uint64_t m = 0;
    for (size_t j = 0; j < t->nvar; j++)
        m |= (uint64_t)1 << t->var[j];
    return m;
}

static int has_term(const ss_formula *f, uint64_t mask)
{
    if (mask == 0)
        return f->intercept;
    for (size_t k = 0; k < f->nterms; k++)
        if (term_mask(&f->terms[k]) == mask)
            return 1;
    return 0;
}

static int var_setup(const ss_formula *f, size_t v, const ss_table *t, const ss_formula_ref *refs,
                     size_t nrefs, var_info *vi, ss_error *err)
{
    const ss_formula_var *fv = &f->vars[v];
    vi->col = ss_table_find(t, fv->column);
    if (!vi->col)
        return ss_error_set(err, SS_EDATA, t->file, 0, "term '%s': no column '%s' in the file",
                            fv->label, fv->column);
    /* text, or a labelled column (its levels named by their labels, in
     * code order: R's haven::as_factor), is a factor */
    vi->factor = fv->force_factor || !vi->col->numeric || vi->col->level_label != NULL;
    if (!vi->factor)
        return SS_OK;
    size_t nl = vi->col->levels.n;
    vi->lev = malloc((nl ? nl : 1) * sizeof *vi->lev);
    vi->pos = malloc((nl ? nl : 1) * sizeof *vi->pos);
    if (!vi->lev || !vi->pos)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    vi->nlev = ss_column_level_order(vi->col, vi->lev);
    for (size_t r = 0; r < nrefs; r++) {
        if (strcmp(refs[r].var, fv->column) != 0 && strcmp(refs[r].var, fv->label) != 0)
            continue;
        size_t k = 0;
        for (; k < vi->nlev; k++)
            if (strcmp(vi->col->levels.str[vi->lev[k]], refs[r].level) == 0 ||
                strcmp(ss_column_level_name(vi->col, vi->lev[k]), refs[r].level) == 0)
                break;
        if (k == vi->nlev)
            return ss_error_set(err, SS_EDATA, t->file, 0,
                                "term '%s': --ref level '%s' is not in column '%s'", fv->label,
                                refs[r].level, fv->column);
        int32_t keep = vi->lev[k];
        memmove(vi->lev + 1, vi->lev, k * sizeof *vi->lev);
        vi->lev[0] = keep;
    }
    for (size_t l = 0; l < nl; l++)
        vi->pos[l] = -1;
    for (size_t k = 0; k < vi->nlev; k++)
        vi->pos[vi->lev[k]] = (int32_t)k;
    return SS_OK;
}

static int add_name(char ***names, size_t n, const char *s)
{
    char **nn = realloc(*names, (n + 1) * sizeof *nn);
    if (!nn)
        return -1;
    *names = nn;
    return (nn[n] = strdup(s)) ? 0 : -1;
}

int ss_model_matrix_build(const ss_formula *f, const ss_table *t, const unsigned char *mask,
                          const ss_formula_ref *refs, size_t nrefs, ss_model_matrix *mm,
                          ss_error *err)
{
    memset(mm, 0, sizeof *mm);
    mm->response = f->response;
    mm->mask = mask;
    var_info *vi = calloc(f->nvars ? f->nvars : 1, sizeof *vi);
    mcol *cols = NULL;
    size_t p = 0, cap = 0;
    int rc = SS_OK;
    const ss_column *yc = ss_table_find(t, f->response);
    if (!vi) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    if (!yc) {
        rc = ss_error_set(err, SS_EDATA, t->file, 0, "outcome: no column '%s' in the file",
                          f->response);
        goto done;
    }
    for (size_t v = 0; v < f->nvars && rc == SS_OK; v++)
        rc = var_setup(f, v, t, refs, nrefs, &vi[v], err);
    if (rc != SS_OK)
        goto done;
    for (size_t r = 0; r < nrefs; r++) {
        int used = 0;
        for (size_t v = 0; v < f->nvars; v++)
            used |= vi[v].factor && (strcmp(refs[r].var, f->vars[v].column) == 0 ||
                                     strcmp(refs[r].var, f->vars[v].label) == 0);
        if (!used) {
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                              "--ref %s=%s: '%s' is not a factor of the formula", refs[r].var,
                              refs[r].level, refs[r].var);
            goto done;
        }
    }
    /* the rows: in the mask, every variable present */
    const size_t n = t->nrow;
    mm->rows = malloc((n ? n : 1) * sizeof *mm->rows);
    if (!mm->rows) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (mask && !mask[i])
            continue;
        if (isnan(ss_column_num(yc, i)))
            continue;
        int ok = 1;
        for (size_t v = 0; v < f->nvars && ok; v++) {
            int32_t code = vi[v].col->code[i];
            ok = code >= 0 && (vi[v].factor ? vi[v].pos[code] >= 0 : 1);
        }
        if (ok)
            mm->rows[m++] = i;
    }
    mm->m = m;
    /* a numeric variable must hold numbers; a factor level must hold rows */
    for (size_t v = 0; v < f->nvars; v++) {
        if (!vi[v].factor) {
            continue;
        }
        size_t *cnt = calloc(vi[v].nlev ? vi[v].nlev : 1, sizeof *cnt);
        if (!cnt) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            goto done;
        }
        for (size_t k = 0; k < m; k++)
            cnt[vi[v].pos[vi[v].col->code[mm->rows[k]]]]++;
        /* R drops the levels of a text column that the rows used do not
         * hold (model.matrix makes its factor after na.omit); factor(VAR)
         * keeps them, and an empty level is an error (R's NA coefficient) */
        size_t keep = 0;
        for (size_t l = 0; l < vi[v].nlev && rc == SS_OK; l++) {
            if (cnt[l] > 0) {
                vi[v].lev[keep++] = vi[v].lev[l];
                continue;
            }
            if (f->vars[v].force_factor)
                rc = ss_error_set(err, SS_EDATA, t->file, 0,
                                  "term '%s': level '%s' has no rows with every model variable"
                                  " answered: drop the level (--na) or the term",
                                  f->vars[v].label, ss_column_level_name(vi[v].col, vi[v].lev[l]));
            else
                vi[v].pos[vi[v].lev[l]] = -1;
        }
        vi[v].nlev = keep;
        for (size_t l = 0; l < keep; l++)
            vi[v].pos[vi[v].lev[l]] = (int32_t)l;
        free(cnt);
        if (rc != SS_OK)
            goto done;
    }
    /* the columns, term by term */
    if (f->intercept) {
        cols = malloc(sizeof *cols);
        if (!cols || add_name(&mm->name, 0, "(Intercept)") != 0) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            goto done;
        }
        cap = 1;
        cols[0].term = SIZE_MAX;
        p = 1;
    }
    for (size_t k = 0; k < f->nterms; k++) {
        const ss_formula_term *tm = &f->terms[k];
        uint64_t tmask = term_mask(tm);
        size_t first[SS_FORMULA_MAX_ORDER], count[SS_FORMULA_MAX_ORDER], idx[SS_FORMULA_MAX_ORDER];
        size_t total = 1;
        for (size_t j = 0; j < tm->nvar; j++) {
            const var_info *x = &vi[tm->var[j]];
            if (!x->factor) {
                first[j] = 0;
                count[j] = 1;
            } else {
                int contrast = has_term(f, tmask & ~((uint64_t)1 << tm->var[j]));
                first[j] = contrast ? 1 : 0;
                count[j] = x->nlev > first[j] ? x->nlev - first[j] : 0;
            }
            total *= count[j];
            idx[j] = 0;
        }
        for (size_t c = 0; c < total; c++) {
            if (p == cap) {
                cap = cap ? 2 * cap : 16;
                mcol *nc = realloc(cols, cap * sizeof *nc);
                if (!nc) {
                    rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
                    goto done;
                }
                cols = nc;
            }
            char name[4096];
            size_t len = 0;
            name[0] = '\0';
            cols[p].term = k;
            for (size_t j = 0; j < tm->nvar; j++) {
                const var_info *x = &vi[tm->var[j]];
                const char *lab = f->vars[tm->var[j]].label;
                if (!x->factor) {
                    cols[p].at[j] = -1;
                    len += (size_t)snprintf(name + len, sizeof name - len, "%s%s", j ? ":" : "",
                                            lab);
                } else {
                    size_t l = first[j] + idx[j];
                    cols[p].at[j] = (long)l;
                    len += (size_t)snprintf(name + len, sizeof name - len, "%s%s%s", j ? ":" : "",
                                            lab, ss_column_level_name(x->col, x->lev[l]));
                }
                if (len >= sizeof name)
                    len = sizeof name - 1;
            }
            if (add_name(&mm->name, p, name) != 0) {
                rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
                goto done;
            }
            p++;
            /* the first variable varies fastest, as R's */
            for (size_t j = 0; j < tm->nvar; j++) {
                if (++idx[j] < count[j])
                    break;
                idx[j] = 0;
            }
        }
    }
    mm->p = p;
    mm->term = malloc((p ? p : 1) * sizeof *mm->term);
    if (!mm->term) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    for (size_t c = 0; c < p; c++)
        mm->term[c] = cols[c].term;
    mm->X = malloc((m ? m : 1) * (p ? p : 1) * sizeof *mm->X);
    mm->y = malloc((m ? m : 1) * sizeof *mm->y);
    if (!mm->X || !mm->y) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < m; k++) {
        size_t i = mm->rows[k];
        double *x = mm->X + k * p;
        mm->y[k] = ss_column_num(yc, i);
        for (size_t c = 0; c < p; c++) {
            if (cols[c].term == SIZE_MAX) {
                x[c] = 1;
                continue;
            }
            const ss_formula_term *tm = &f->terms[cols[c].term];
            double val = 1;
            for (size_t j = 0; j < tm->nvar; j++) {
                const var_info *xv = &vi[tm->var[j]];
                int32_t code = xv->col->code[i];
                if (cols[c].at[j] < 0)
                    val *= xv->col->level_num[code];
                else if (xv->pos[code] != cols[c].at[j])
                    val = 0;
            }
            x[c] = val;
        }
    }
done:
    for (size_t v = 0; vi && v < f->nvars; v++) {
        free(vi[v].lev);
        free(vi[v].pos);
    }
    free(vi);
    free(cols);
    if (rc == SS_OK)
        return SS_OK;
    mm->p = p;
    return rc;
}

void ss_model_matrix_free(ss_model_matrix *mm)
{
    if (!mm)
        return;
    for (size_t c = 0; c < mm->p && mm->name; c++)
        free(mm->name[c]);
    free(mm->name);
    free(mm->rows);
    free(mm->X);
    free(mm->y);
    free(mm->term);
    memset(mm, 0, sizeof *mm);
}
