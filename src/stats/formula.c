/* ss_formula: R model formulas and their model matrix (R's terms.formula
 * and model.matrix.default with contr.treatment).
 *
 * Parsing works on sets of terms, a term being a set of variables (a
 * 64-bit mask over the variables in order of first appearance):
 *   inter  atom (':' atom)*         A:B = { a | b : a in A, b in B }
 *   prod   inter ('*' inter)*       A*B = A + B + A:B
 *   sum    prod (('+'|'-') prod)*   + adds terms, - removes them
 *   atom   NAME | `NAME` | factor(NAME) | CALL | 1 | 0 | '(' sum ')'
 * The intercept is the empty term; `0` (or `-1`) removes it.  A CALL
 * (I, log, exp, sqrt) holds an arithmetic expression, R's grammar:
 *   esum   eprod (('+'|'-') eprod)*
 *   eprod  eneg (('*'|'/') eneg)*
 *   eneg   ('-'|'+') eneg | epow
 *   epow   eprim ('^' eneg)?        right to left: a^b^c = a^(b^c)
 *   eprim  NUMBER | NAME | `NAME` | '(' esum ')' | CALL
 * Parentheses are kept as nodes, as R's parser keeps them, so that the
 * label (R's deparse) shows them where they were written. */
#include "ss_formula.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ss_mem.h"
#include "ss_number.h"

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

/* ---- numeric expressions: I(), log(), exp(), sqrt() ---- */

/* op: 'n' a number, 'v' a column (cols[col]), '(' parentheses, 'm' and
 * 'p' unary minus and plus, '+' '-' '*' '/' '^', and the calls 'I', 'L'
 * (log), 'E' (exp), 'S' (sqrt) of a. */
typedef struct ss_formula_expr {
    char op;
    double num;
    size_t col;
    struct ss_formula_expr *a, *b;
} ss_formula_expr;

static void expr_free(ss_formula_expr *e)
{
    if (!e)
        return;
    expr_free(e->a);
    expr_free(e->b);
    free(e);
}

/* The columns an expression reads, collected while it is parsed. */
typedef struct expr_cols {
    char **name;
    size_t n;
} expr_cols;

static void cols_free(char **name, size_t n)
{
    for (size_t k = 0; k < n; k++)
        free(name[k]);
    free(name);
}

static ss_formula_expr *expr_node(parser *p, char op, ss_formula_expr *a, ss_formula_expr *b)
{
    ss_formula_expr *e = calloc(1, sizeof *e);
    if (!e) {
        expr_free(a);
        expr_free(b);
        p->failed = 1;
        ss_error_set(p->err, SS_EDATA, NULL, 0, "out of memory");
        return NULL;
    }
    e->op = op;
    e->a = a;
    e->b = b;
    return e;
}

static const struct {
    const char *name;
    char op;
} calls[] = {{"I", 'I'}, {"log", 'L'}, {"exp", 'E'}, {"sqrt", 'S'}};

/* The call named s[0..len) followed by '(' (blanks between allowed): its
 * op, and *open the place of '('; 0 when s is not followed by '('. */
static char call_at(const parser *p, size_t at, size_t len, size_t *open, int *known)
{
    size_t q = at + len;
    while (isspace((unsigned char)p->s[q]))
        q++;
    if (p->s[q] != '(')
        return 0;
    *open = q;
    *known = 0;
    for (size_t k = 0; k < sizeof calls / sizeof calls[0]; k++)
        if (strlen(calls[k].name) == len && strncmp(p->s + at, calls[k].name, len) == 0) {
            *known = 1;
            return calls[k].op;
        }
    return '?';
}

#define CALLS_SAID "only factor(), I(), log(), exp() and sqrt() may be called in a formula"

/* At at: a call (a name, then '('): its op and *open the place of '(';
 * 0 when there is none; -1 for a call not known (the error set). */
static int call_here(parser *p, size_t at, size_t *open)
{
    const char *s = p->s;
    if (s[at] == '`' || !name_char((unsigned char)s[at], 1))
        return 0;
    size_t len = 0;
    int known;
    while (name_char((unsigned char)s[at + len], 0))
        len++;
    char op = call_at(p, at, len, open, &known);
    if (op && !known) {
        fail_at(p, at, CALLS_SAID);
        return -1;
    }
    return op;
}

static ss_formula_expr *expr_sum(parser *p, expr_cols *c);

/* CALL '(' esum ')' at p->pos (the name already checked by call_at). */
static ss_formula_expr *expr_call(parser *p, expr_cols *c, char op, size_t open)
{
    p->pos = open + 1;
    ss_formula_expr *a = expr_sum(p, c);
    if (!a)
        return NULL;
    skip(p);
    if (p->s[p->pos] != ')') {
        expr_free(a);
        fail_at(p, p->pos, p->s[p->pos] == ',' ? "one argument expected" : "expected ')'");
        return NULL;
    }
    p->pos++;
    return expr_node(p, op, a, NULL);
}

static ss_formula_expr *expr_prim(parser *p, expr_cols *c)
{
    skip(p);
    const char *s = p->s;
    size_t at = p->pos;
    if (s[at] == '(') {
        p->pos++;
        ss_formula_expr *a = expr_sum(p, c);
        if (!a)
            return NULL;
        skip(p);
        if (s[p->pos] != ')') {
            expr_free(a);
            fail_at(p, p->pos, "expected ')'");
            return NULL;
        }
        p->pos++;
        return expr_node(p, '(', a, NULL);
    }
    if (isdigit((unsigned char)s[at]) || (s[at] == '.' && isdigit((unsigned char)s[at + 1]))) {
        size_t q = at;
        while (isdigit((unsigned char)s[q]))
            q++;
        if (s[q] == '.')
            for (q++; isdigit((unsigned char)s[q]); q++)
                ;
        if ((s[q] == 'e' || s[q] == 'E') &&
            (isdigit((unsigned char)s[q + 1]) ||
             ((s[q + 1] == '+' || s[q + 1] == '-') && isdigit((unsigned char)s[q + 2])))) {
            q += 2;
            while (isdigit((unsigned char)s[q]))
                q++;
        }
        double v;
        if (name_char((unsigned char)s[q], 0) || ss_number_parse(s + at, q - at, &v) != 0) {
            fail_at(p, at, "expected a number");
            return NULL;
        }
        p->pos = q;
        ss_formula_expr *e = expr_node(p, 'n', NULL, NULL);
        if (e)
            e->num = v;
        return e;
    }
    size_t open;
    int op = call_here(p, at, &open);
    if (op < 0)
        return NULL;
    if (op)
        return expr_call(p, c, (char)op, open);
    if (s[at] != '`' && !name_char((unsigned char)s[at], 1)) {
        fail_at(p, at, "expected a number, a column or '('");
        return NULL;
    }
    char *name = read_name(p);
    if (!name)
        return NULL;
    size_t k = 0;
    while (k < c->n && strcmp(c->name[k], name) != 0)
        k++;
    if (k == c->n) {
        char **nn = realloc(c->name, (c->n + 1) * sizeof *nn);
        if (!nn) {
            free(name);
            p->failed = 1;
            ss_error_set(p->err, SS_EDATA, NULL, 0, "out of memory");
            return NULL;
        }
        c->name = nn;
        c->name[c->n++] = name;
    } else {
        free(name);
    }
    ss_formula_expr *e = expr_node(p, 'v', NULL, NULL);
    if (e)
        e->col = k;
    return e;
}

static ss_formula_expr *expr_neg(parser *p, expr_cols *c);

static ss_formula_expr *expr_pow(parser *p, expr_cols *c)
{
    ss_formula_expr *a = expr_prim(p, c);
    if (!a)
        return NULL;
    skip(p);
    if (p->s[p->pos] != '^')
        return a;
    p->pos++;
    ss_formula_expr *b = expr_neg(p, c);
    if (!b) {
        expr_free(a);
        return NULL;
    }
    return expr_node(p, '^', a, b);
}

static ss_formula_expr *expr_neg(parser *p, expr_cols *c)
{
    skip(p);
    char op = p->s[p->pos];
    if (op != '-' && op != '+')
        return expr_pow(p, c);
    p->pos++;
    ss_formula_expr *a = expr_neg(p, c);
    return a ? expr_node(p, op == '-' ? 'm' : 'p', a, NULL) : NULL;
}

/* esum (level 0: + and - of eprod) and eprod (level 1: * and / of eneg),
 * left to right. */
static ss_formula_expr *expr_binary(parser *p, expr_cols *c, int level)
{
    const char *ops = level == 0 ? "+-" : "*/";
    ss_formula_expr *a = level == 0 ? expr_binary(p, c, 1) : expr_neg(p, c);
    for (;;) {
        if (!a)
            return NULL;
        skip(p);
        char op = p->s[p->pos];
        if (op == '\0' || !strchr(ops, op))
            return a;
        p->pos++;
        ss_formula_expr *b = level == 0 ? expr_binary(p, c, 1) : expr_neg(p, c);
        if (!b) {
            expr_free(a);
            return NULL;
        }
        a = expr_node(p, op, a, b);
    }
}

static ss_formula_expr *expr_sum(parser *p, expr_cols *c)
{
    return expr_binary(p, c, 0);
}

/* A number as R's deparse writes it: 15 significant digits at most, fixed
 * notation unless the scientific one is shorter (R's formatReal with
 * digits 15, scipen 0): 0.1, 123456, 1e+05, 1e-04, 2.5. */
static void r_number(double x, char *buf, size_t size)
{
    if (x == 0) {
        snprintf(buf, size, "0");
        return;
    }
    int neg = x < 0;
    double ax = fabs(x);
    char t[64];
    snprintf(t, sizeof t, "%.14e", ax);
    double r15 = strtod(t, NULL);
    int nsig = 15;
    for (int k = 1; k <= 15; k++) {
        snprintf(t, sizeof t, "%.*e", k - 1, ax);
        if (strtod(t, NULL) == r15) {
            nsig = k;
            break;
        }
    }
    snprintf(t, sizeof t, "%.*e", nsig - 1, ax);
    int kp = atoi(strchr(t, 'e') + 1);
    int rgt = nsig - kp - 1 > 0 ? nsig - kp - 1 : 0;
    int wf = neg + (kp >= 0 ? kp + 1 : 1) + (rgt ? rgt + 1 : 0);
    int we = neg + (nsig > 1 ? nsig + 1 : 1) + (kp >= 100 || kp <= -100 ? 5 : 4);
    if (wf <= we)
        snprintf(buf, size, "%s%.*f", neg ? "-" : "", rgt, ax);
    else
        snprintf(buf, size, "%s%.*e", neg ? "-" : "", nsig - 1, ax);
}

/* A name as R deparses it: backquoted unless syntactic. */
static int r_syntactic(const char *name)
{
    static const char *const reserved[] = {"if", "else", "repeat", "while", "function", "for",
                                           "next", "break", "TRUE", "FALSE", "NULL", "Inf",
                                           "NaN", "NA", "in"};
    if (!name_char((unsigned char)name[0], 1) || name[0] == '_' ||
        (name[0] == '.' && isdigit((unsigned char)name[1])))
        return 0;
    for (const char *c = name; *c; c++)
        if (!name_char((unsigned char)*c, 0))
            return 0;
    for (size_t k = 0; k < sizeof reserved / sizeof reserved[0]; k++)
        if (strcmp(name, reserved[k]) == 0)
            return 0;
    return 1;
}

typedef struct sbuf {
    char *s;
    size_t len, cap;
    int bad;
} sbuf;

static void sb_put(sbuf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *ns = realloc(b->s, cap);
        if (!ns) {
            b->bad = 1;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

/* R's deparse of e (its blanks: "a + b", "a - b", "a * b", "a/b",
 * "a^b", "-a", "log(a)"). */
static void deparse(const ss_formula_expr *e, char *const *cols, sbuf *b)
{
    char num[64];
    switch (e->op) {
    case 'n':
        r_number(e->num, num, sizeof num);
        sb_put(b, num);
        return;
    case 'v':
        if (r_syntactic(cols[e->col])) {
            sb_put(b, cols[e->col]);
        } else {
            sb_put(b, "`");
            sb_put(b, cols[e->col]);
            sb_put(b, "`");
        }
        return;
    case 'm':
    case 'p':
        sb_put(b, e->op == 'm' ? "-" : "+");
        deparse(e->a, cols, b);
        return;
    case '+':
    case '-':
    case '*':
    case '/':
    case '^': {
        static const char *const sep[] = {" + ", " - ", " * ", "/", "^"};
        deparse(e->a, cols, b);
        sb_put(b, sep[strchr("+-*/^", e->op) - "+-*/^"]);
        deparse(e->b, cols, b);
        return;
    }
    default:
        for (size_t k = 0; k < sizeof calls / sizeof calls[0]; k++)
            if (calls[k].op == e->op)
                sb_put(b, calls[k].name);
        sb_put(b, "(");
        deparse(e->a, cols, b);
        sb_put(b, ")");
    }
}

/* An evaluation that fails: the node, and the value it met. */
typedef struct expr_fail {
    const ss_formula_expr *at;
    double arg;
} expr_fail;

/* e on the columns' values v; NaN with *fail set when log or sqrt gets a
 * value outside their domain or a value is not finite. */
static double expr_eval(const ss_formula_expr *e, const double *v, expr_fail *fail)
{
    double a, b, r;
    switch (e->op) {
    case 'n':
        return e->num;
    case 'v':
        return v[e->col];
    default:
        break;
    }
    a = expr_eval(e->a, v, fail);
    if (fail->at)
        return NAN;
    switch (e->op) {
    case '(':
    case 'p':
    case 'I':
        return a;
    case 'm':
        return -a;
    case 'L':
    case 'S':
        if (e->op == 'L' ? !(a > 0) : !(a >= 0)) {
            fail->at = e;
            fail->arg = a;
            return NAN;
        }
        r = e->op == 'L' ? log(a) : sqrt(a);
        break;
    case 'E':
        r = exp(a);
        break;
    default:
        b = expr_eval(e->b, v, fail);
        if (fail->at)
            return NAN;
        r = e->op == '+' ? a + b : e->op == '-' ? a - b : e->op == '*' ? a * b
            : e->op == '/' ? a / b : pow(a, b);
        break;
    }
    if (!isfinite(r)) {
        fail->at = e;
        fail->arg = a;
    }
    return r;
}

/* The columns node e reads, as a mask over the variable's cols. */
static uint64_t expr_uses(const ss_formula_expr *e)
{
    if (!e)
        return 0;
    if (e->op == 'v')
        return e->col < 64 ? (uint64_t)1 << e->col : 0;
    return expr_uses(e->a) | expr_uses(e->b);
}

/* A variable: a column (expr NULL: the column's name in column, moved in)
 * or an expression (its label, and its columns moved in). */
static int add_var_full(parser *p, char *column, int factor, ss_formula_expr *expr,
                        const char *elabel, expr_cols *ecols, size_t *index)
{
    ss_formula *f = p->f;
    char label[1100];
    if (expr)
        snprintf(label, sizeof label, "%s", elabel);
    else
        snprintf(label, sizeof label, factor ? "factor(%s)" : "%s", column);
    for (size_t v = 0; v < f->nvars; v++)
        if (strcmp(f->vars[v].label, label) == 0) {
            free(column);
            expr_free(expr);
            if (ecols)
                cols_free(ecols->name, ecols->n);
            *index = v;
            return 0;
        }
    int rc = 0;
    ss_formula_var *nv = NULL;
    char *lab = NULL;
    char **cols = expr ? ecols->name : malloc(sizeof *cols);
    size_t ncols = expr ? ecols->n : 1;
    if (f->nvars == MAX_VARS)
        rc = fail_at(p, p->pos, "more than 64 variables");
    else if (!(nv = realloc(f->vars, (f->nvars + 1) * sizeof *nv)) || !(lab = strdup(label)) ||
             !cols || (!expr && !(cols[0] = strdup(column)))) {
        p->failed = 1;
        ss_error_set(p->err, SS_EDATA, NULL, 0, "out of memory");
        rc = -1;
    }
    if (nv)
        f->vars = nv;
    if (rc != 0) {
        free(lab);
        free(column);
        expr_free(expr);
        if (expr)
            cols_free(ecols->name, ecols->n);
        else
            free(cols);
        return -1;
    }
    f->vars[f->nvars] = (ss_formula_var){lab, column, factor, expr, cols, ncols};
    *index = f->nvars++;
    return 0;
}

static int add_var(parser *p, char *column, int factor, size_t *index)
{
    return add_var_full(p, column, factor, NULL, NULL, NULL, index);
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
    size_t open;
    int op = call_here(p, at, &open);
    if (op < 0)
        return -1;
    if (op) {
        /* a numeric expression: one variable, labelled as R deparses it */
        expr_cols c = {NULL, 0};
        ss_formula_expr *e = expr_call(p, &c, (char)op, open);
        if (!e) {
            cols_free(c.name, c.n);
            return -1;
        }
        sbuf b = {NULL, 0, 0, 0};
        deparse(e, c.name, &b);
        size_t v;
        int rc = b.bad ? -1 : add_var_full(p, NULL, 0, e, b.s, &c, &v);
        free(b.s);
        if (b.bad) {
            expr_free(e);
            cols_free(c.name, c.n);
            p->failed = 1;
            ss_error_set(p->err, SS_EDATA, NULL, 0, "out of memory");
        }
        if (rc != 0)
            return -1;
        out->t[out->n++] = (uint64_t)1 << v;
        return 0;
    }
    char *name = read_name(p);
    if (!name)
        return -1;
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
        expr_free(f->vars[v].expr);
        cols_free(f->vars[v].cols, f->vars[v].ncols);
    }
    free(f->vars);
    for (size_t k = 0; k < f->nterms; k++)
        free(f->terms[k].label);
    free(f->terms);
    memset(f, 0, sizeof *f);
}

/* a[0..na) and b[0..nb) are the same but for blanks. */
static int same_but_blanks(const char *a, size_t na, const char *b, size_t nb)
{
    size_t i = 0, j = 0;
    for (;;) {
        while (i < na && isspace((unsigned char)a[i]))
            i++;
        while (j < nb && isspace((unsigned char)b[j]))
            j++;
        if (i == na || j == nb)
            return i == na && j == nb;
        if (a[i++] != b[j++])
            return 0;
    }
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
            if (same_but_blanks(f->vars[v].label, strlen(f->vars[v].label), s, len)) {
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
    const ss_column *col;   /* a column variable's column */
    const ss_column **ecol; /* an expression's columns (its cols) */
    int factor;
    size_t nlev;       /* levels in R's order, the reference first */
    int32_t *lev;      /* nlev level codes */
    int32_t *pos;      /* per code: its place in lev, -1 when not a level */
    double *value;     /* an expression: its value on each row used */
} var_info;

static uint64_t term_mask(const ss_formula_term *t)
{
    uint64_t m = 0;
    for (size_t j = 0; j < t->nvar; j++)
        m |= (uint64_t)1 << t->var[j];
    return m;
}

/* R's TermCode (stats' model.c): a factor of term k is coded by contrasts
 * when the term without it (rest) is empty or within a term before k, else
 * by indicators (every level). */
static int by_contrasts(const ss_formula *f, size_t k, uint64_t rest)
{
    if (rest == 0)
        return 1;
    for (size_t t = 0; t < k; t++)
        if ((rest & ~term_mask(&f->terms[t])) == 0)
            return 1;
    return 0;
}

/* Row i of a numeric column: a category's level value (as read before
 * SS_NEED_AUTO), or its number; NaN when missing. */
static inline double cell_number(const ss_column *c, size_t i)
{
    if (c->code)
        return c->code[i] >= 0 ? c->level_num[c->code[i]] : NAN;
    return ss_column_num(c, i);
}

static int var_setup(const ss_formula *f, size_t v, const ss_table *t, const ss_formula_ref *refs,
                     size_t nrefs, var_info *vi, ss_error *err)
{
    const ss_formula_var *fv = &f->vars[v];
    if (fv->expr) {
        /* an expression of numeric columns (a labelled one by its codes) */
        vi->ecol = malloc(fv->ncols * sizeof *vi->ecol);
        if (!vi->ecol)
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        for (size_t k = 0; k < fv->ncols; k++) {
            const ss_column *c = ss_table_find(t, fv->cols[k]);
            if (!c)
                return ss_error_set(err, SS_EDATA, t->file, 0,
                                    "term '%s': no column '%s' in the file", fv->label,
                                    fv->cols[k]);
            if (!c->numeric) {
                size_t l = 0;
                while (l < c->levels.n && !isnan(c->level_num[l]))
                    l++;
                return ss_error_set(err, SS_EDATA, t->file, 0,
                                    "term '%s': column '%s' holds text ('%s'), not numbers:"
                                    " arithmetic needs a numeric column",
                                    fv->label, fv->cols[k],
                                    l < c->levels.n ? c->levels.str[l] : "");
            }
            vi->ecol[k] = c;
        }
        return SS_OK;
    }
    vi->col = ss_table_find(t, fv->column);
    if (!vi->col)
        return ss_error_set(err, SS_EDATA, t->file, 0, "term '%s': no column '%s' in the file",
                            fv->label, fv->column);
    /* text, or a labelled column (its levels named by their labels, in
     * code order: R's haven::as_factor), is a factor; under
     * labels_numeric a labelled column of numbers is its codes */
    vi->factor = fv->force_factor || !vi->col->numeric ||
                 (vi->col->level_label != NULL && !f->labels_numeric);
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

/* The values of expression variable fv on the rows used; an error names
 * the first row where it is not a finite number. */
static int var_values(const ss_formula_var *fv, var_info *vi, const ss_table *t,
                      const size_t *rows, size_t m, ss_error *err)
{
    vi->value = ss_mem_array(NULL, m ? m : 1, "rows", 1, NULL, sizeof *vi->value);
    double *x = malloc(fv->ncols * sizeof *x);
    if (!vi->value || !x) {
        free(x);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory%s", ss_mem_failure());
    }
    for (size_t k = 0; k < m; k++) {
        size_t i = rows[k];
        for (size_t c = 0; c < fv->ncols; c++)
            x[c] = cell_number(vi->ecol[c], i);
        expr_fail fail = {NULL, 0};
        vi->value[k] = expr_eval(fv->expr, x, &fail);
        if (!fail.at)
            continue;
        /* name the columns of the failing call and their values */
        char cols[512] = "", what[160];
        size_t len = 0;
        uint64_t uses = expr_uses(fail.at);
        int ncol = 0;
        for (size_t c = 0; c < fv->ncols && c < 64; c++)
            if (uses >> c & 1)
                ncol++;
        for (size_t c = 0; c < fv->ncols && c < 64; c++) {
            if (!(uses >> c & 1) || len >= sizeof cols)
                continue;
            int w = ncol == 1 ? snprintf(cols + len, sizeof cols - len, "column '%s'",
                                         fv->cols[c])
                              : snprintf(cols + len, sizeof cols - len, "%s%s = %.15g",
                                         len ? ", " : "columns ", fv->cols[c], x[c]);
            len = w > 0 ? len + (size_t)w : len;
        }
        if (!ncol)
            snprintf(cols, sizeof cols, "term '%s'", fv->label);
        switch (fail.at->op) {
        case 'L':
            snprintf(what, sizeof what, "takes the log of %.15g (not positive)", fail.arg);
            break;
        case 'S':
            snprintf(what, sizeof what, "takes the square root of %.15g (negative)", fail.arg);
            break;
        case '/':
            snprintf(what, sizeof what, "divides by 0");
            break;
        case 'E':
            snprintf(what, sizeof what, "overflows (exp of %.15g)", fail.arg);
            break;
        case '^':
            snprintf(what, sizeof what, "is not a finite number (a power of %.15g)", fail.arg);
            break;
        default:
            snprintf(what, sizeof what, "overflows");
        }
        free(x);
        return ss_error_set(err, SS_EDATA, t->file, ss_table_line(t, i),
                            "%s: term '%s' %s: leave such rows out (--subset) or change the"
                            " term",
                            cols, fv->label, what);
    }
    free(x);
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

/* ok[i] &= row i of numeric column c is present, for the n rows: a loop
 * per storage, not a switch per row. */
static void keep_numbers(const ss_column *c, unsigned char *ok, size_t n)
{
    if (c->code) {
        for (size_t i = 0; i < n; i++)
            ok[i] &= c->code[i] >= 0 && !isnan(c->level_num[c->code[i]]);
        return;
    }
    switch (c->store) {
    case SS_STORE_U8:
        for (size_t i = 0; i < n; i++)
            ok[i] &= c->u8[i] != SS_U8_NA;
        break;
    case SS_STORE_U16:
        for (size_t i = 0; i < n; i++)
            ok[i] &= c->u16[i] != SS_U16_NA;
        break;
    case SS_STORE_PACKED:
        for (size_t i = 0; i < n; i++)
            ok[i] &= !isnan(ss_packed_value[(uint16_t)c->packed[i]]);
        break;
    case SS_STORE_I32:
        for (size_t i = 0; i < n; i++)
            ok[i] &= c->i32[i] != SS_I32_NA;
        break;
    default:
        for (size_t i = 0; i < n; i++)
            ok[i] &= !isnan(c->num[i]);
    }
}

/* x[k] = row rows[k] of numeric column c, for the m rows used. */
static void gather_numbers(const ss_column *c, const size_t *rows, size_t m, double *x)
{
    if (c->code) {
        for (size_t k = 0; k < m; k++)
            x[k] = c->level_num[c->code[rows[k]]];
        return;
    }
    switch (c->store) {
    case SS_STORE_U8:
        for (size_t k = 0; k < m; k++)
            x[k] = ss_u8_value[c->u8[rows[k]]];
        break;
    case SS_STORE_DOUBLE:
        for (size_t k = 0; k < m; k++)
            x[k] = c->num[rows[k]];
        break;
    default:
        for (size_t k = 0; k < m; k++)
            x[k] = ss_column_num(c, rows[k]);
    }
}

/* The value of numeric variable v of the formula on row k (table row i). */
static double var_number(const var_info *vi, size_t k, size_t i)
{
    return vi->value ? vi->value[k] : cell_number(vi->col, i);
}

int ss_model_matrix_build(const ss_formula *f, const ss_table *t, const unsigned char *mask,
                          const ss_formula_ref *refs, size_t nrefs, ss_model_matrix *mm,
                          ss_error *err)
{
    memset(mm, 0, sizeof *mm);
    mm->response = f->response;
    mm->mask = mask;
    var_info *vi = calloc(f->nvars ? f->nvars : 1, sizeof *vi);
    size_t p = 0, *cterm = NULL; /* cterm: the term of each column */
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
    mm->rows = ss_mem_array(NULL, n ? n : 1, "rows", 1, NULL, sizeof *mm->rows);
    if (!mm->rows) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory%s", ss_mem_failure());
        goto done;
    }
    /* column by column: the rows where every variable is present */
    unsigned char *ok = malloc(n ? n : 1);
    if (!ok) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        ok[i] = !mask || mask[i];
    keep_numbers(yc, ok, n);
    for (size_t v = 0; v < f->nvars; v++) {
        const ss_formula_var *fv = &f->vars[v];
        if (fv->expr) {
            for (size_t c = 0; c < fv->ncols; c++)
                keep_numbers(vi[v].ecol[c], ok, n);
        } else if (!vi[v].factor) {
            keep_numbers(vi[v].col, ok, n);
        } else {
            const int32_t *code = vi[v].col->code, *pos = vi[v].pos;
            for (size_t i = 0; i < n; i++)
                ok[i] &= code[i] >= 0 && pos[code[i]] >= 0;
        }
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        mm->rows[m] = i;
        m += ok[i];
    }
    free(ok);
    mm->m = m;
    for (size_t v = 0; v < f->nvars && rc == SS_OK; v++)
        if (f->vars[v].expr)
            rc = var_values(&f->vars[v], &vi[v], t, mm->rows, m, err);
    if (rc != SS_OK)
        goto done;
    /* a factor level must hold rows */
    for (size_t v = 0; v < f->nvars; v++) {
        if (!vi[v].factor)
            continue;
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
    /* the columns, term by term; per term a block of the compact matrix */
    mm->intercept = f->intercept;
    if (f->intercept) {
        if (add_name(&mm->name, 0, "(Intercept)") != 0) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            goto done;
        }
        p = 1;
    }
    mm->block = calloc(f->nterms ? f->nterms : 1, sizeof *mm->block);
    if (!mm->block) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    mm->nblock = f->nterms;
    /* without an intercept the first factor (of more than one level) of
     * the first term that has one is coded by indicators, as R's
     * model.matrix does; the other factors by R's rule (by_contrasts) */
    size_t kfull = SIZE_MAX, vfull = SIZE_MAX;
    for (size_t k = 0; !f->intercept && k < f->nterms && kfull == SIZE_MAX; k++)
        for (size_t j = 0; j < f->terms[k].nvar; j++) {
            size_t v = f->terms[k].var[j];
            if (vi[v].factor && vi[v].nlev > 1 && v < vfull) {
                kfull = k;
                vfull = v;
            }
        }
    for (size_t k = 0; k < f->nterms; k++) {
        const ss_formula_term *tm = &f->terms[k];
        uint64_t tmask = term_mask(tm);
        size_t first[SS_FORMULA_MAX_ORDER], count[SS_FORMULA_MAX_ORDER], idx[SS_FORMULA_MAX_ORDER];
        size_t total = 1;
        int any_factor = 0, any_number = 0;
        for (size_t j = 0; j < tm->nvar; j++) {
            const var_info *x = &vi[tm->var[j]];
            if (!x->factor) {
                first[j] = 0;
                count[j] = 1;
                any_number = 1;
            } else {
                int contrast = !(k == kfull && tm->var[j] == vfull) &&
                               by_contrasts(f, k, tmask & ~((uint64_t)1 << tm->var[j]));
                first[j] = contrast ? 1 : 0;
                count[j] = x->nlev > first[j] ? x->nlev - first[j] : 0;
                any_factor = 1;
            }
            total *= count[j];
            idx[j] = 0;
        }
        if (total > SS_FORMULA_MAX_COEF - p) {
            char term[512];
            size_t len = 0;
            term[0] = '\0';
            for (size_t j = 0; j < tm->nvar && len < sizeof term; j++)
                len += (size_t)snprintf(term + len, sizeof term - len, "%s%s", j ? ":" : "",
                                        f->vars[tm->var[j]].label);
            rc = ss_error_set(err, SS_EDATA, NULL, 0,
                              "term '%s': %zu coefficients, which with the %zu before it pass "
                              "the %d a model takes: merge levels or leave the term out",
                              term, total, p, SS_FORMULA_MAX_COEF);
            goto done;
        }
        ss_model_block *bl = &mm->block[k];
        bl->first = p;
        bl->ncol = total;
        for (size_t c = 0; c < total; c++) {
            char name[4096];
            size_t len = 0;
            name[0] = '\0';
            for (size_t j = 0; j < tm->nvar; j++) {
                const var_info *x = &vi[tm->var[j]];
                const char *lab = f->vars[tm->var[j]].label;
                if (!x->factor)
                    len += (size_t)snprintf(name + len, sizeof name - len, "%s%s", j ? ":" : "",
                                            lab);
                else
                    len += (size_t)snprintf(name + len, sizeof name - len, "%s%s%s", j ? ":" : "",
                                            lab,
                                            ss_column_level_name(x->col, x->lev[first[j] + idx[j]]));
                if (len >= sizeof name)
                    len = sizeof name - 1;
            }
            size_t *nt = realloc(cterm, (p + 1) * sizeof *nt);
            if (nt)
                cterm = nt;
            if (!nt || add_name(&mm->name, p, name) != 0) {
                rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
                goto done;
            }
            cterm[p++] = k;
            /* the first variable varies fastest, as R's */
            for (size_t j = 0; j < tm->nvar; j++) {
                if (++idx[j] < count[j])
                    break;
                idx[j] = 0;
            }
        }
        /* each row: the column of its level combination (-1 for a level
         * outside the contrasts) and the product of the numbers */
        if (any_factor)
            bl->col = ss_mem_array(NULL, m ? m : 1, "rows", 1, NULL, sizeof *bl->col);
        if (any_number)
            bl->val = ss_mem_array(NULL, m ? m : 1, "rows", 1, NULL, sizeof *bl->val);
        if ((any_factor && !bl->col) || (any_number && !bl->val)) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory%s", ss_mem_failure());
            goto done;
        }
        /* a term of one variable: a loop of its own */
        if (tm->nvar == 1) {
            const var_info *x = &vi[tm->var[0]];
            if (!x->factor) {
                if (x->value)
                    memcpy(bl->val, x->value, m * sizeof *bl->val);
                else
                    gather_numbers(x->col, mm->rows, m, bl->val);
            } else {
                const int32_t *code = x->col->code, *pos = x->pos;
                const int32_t base = (int32_t)bl->first - (int32_t)first[0];
                for (size_t r = 0; r < m; r++) {
                    int32_t l = pos[code[mm->rows[r]]];
                    bl->col[r] = (size_t)l < first[0] ? -1 : base + l;
                }
            }
            continue;
        }
        for (size_t r = 0; r < m; r++) {
            size_t i = mm->rows[r], off = 0, stride = 1;
            int zero = 0;
            double val = 1;
            for (size_t j = 0; j < tm->nvar; j++) {
                const var_info *x = &vi[tm->var[j]];
                if (!x->factor) {
                    val *= var_number(x, r, i);
                    continue;
                }
                size_t l = (size_t)x->pos[x->col->code[i]];
                if (l < first[j])
                    zero = 1;
                else
                    off += (l - first[j]) * stride;
                stride *= count[j];
            }
            if (bl->col)
                bl->col[r] = zero ? -1 : (int32_t)(bl->first + off);
            if (bl->val)
                bl->val[r] = val;
        }
    }
    mm->p = p;
    mm->term = malloc((p ? p : 1) * sizeof *mm->term);
    mm->y = ss_mem_array(NULL, m ? m : 1, "rows", 1, NULL, sizeof *mm->y);
    if (!mm->term || !mm->y) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory%s", ss_mem_failure());
        goto done;
    }
    for (size_t c = 0; c < p; c++)
        mm->term[c] = f->intercept && c == 0 ? SIZE_MAX : cterm[c];
    for (size_t k = 0; k < m; k++)
        mm->y[k] = ss_column_num(yc, mm->rows[k]);
done:
    for (size_t v = 0; vi && v < f->nvars; v++) {
        free(vi[v].lev);
        free(vi[v].pos);
        free(vi[v].ecol);
        free(vi[v].value);
    }
    free(vi);
    free(cterm);
    if (rc == SS_OK)
        return SS_OK;
    mm->p = p;
    return rc;
}

void ss_model_matrix_row(const ss_model_matrix *mm, size_t k, double *x)
{
    int32_t col[1 + 256];
    double val[1 + 256];
    for (size_t c = 0; c < mm->p; c++)
        x[c] = 0;
    size_t nz = ss_model_matrix_nz(mm, k, col, val);
    for (size_t j = 0; j < nz; j++)
        x[col[j]] = val[j];
}

void ss_model_matrix_free(ss_model_matrix *mm)
{
    if (!mm)
        return;
    for (size_t c = 0; c < mm->p && mm->name; c++)
        free(mm->name[c]);
    free(mm->name);
    free(mm->rows);
    free(mm->y);
    free(mm->term);
    for (size_t b = 0; mm->block && b < mm->nblock; b++) {
        free(mm->block[b].col);
        free(mm->block[b].val);
    }
    free(mm->block);
    memset(mm, 0, sizeof *mm);
}
