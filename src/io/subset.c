/* ss_subset: --subset EXPR, R's syntax, parsed by recursive descent (the
 * grammar and the meaning of values are in ss_subset.h).
 *
 * A condition is a tree of nodes; evaluation gives every node a byte per
 * row, 0 FALSE, 1 TRUE, 2 NA (R's three-valued logic).  A comparison is
 * decided once per level of its column (the columns are read as
 * categories), then looked up per row by the row's code. */
#include "ss_subset.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ss_number.h"

enum { V_FALSE = 0, V_TRUE = 1, V_NA = 2 };

typedef enum { N_OR, N_AND, N_NOT, N_CMP, N_IN, N_ISNA, N_BARE, N_LIT } node_kind;
typedef enum { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE } cmp_op;
typedef enum { L_NUM, L_STR, L_NA } lit_kind;

typedef struct lit {
    lit_kind kind;
    double num;
    char *str;
    size_t pos;
} lit;

typedef struct node {
    node_kind kind;
    cmp_op op;
    size_t col;        /* index into the column names */
    size_t pos;        /* where it starts in EXPR (the column for N_CMP) */
    lit *lits;         /* N_CMP: one; N_IN: the list; N_LIT: one */
    size_t nlit;
    struct node *a, *b;
} node;

struct ss_subset {
    char *text;
    const char *option;
    node *root;
    char **names;      /* columns, each once */
    size_t *name_pos;  /* where each first appears */
    size_t nnames;
};

/* ---- errors: one line, then EXPR and a caret under pos ---- */

static int fail_at(const char *option, const char *expr, size_t pos, ss_error *err,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail_at(const char *option, const char *expr, size_t pos, ss_error *err,
                   const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    /* The echo keeps EXPR on one line (control bytes as blanks) and at
     * most 300 bytes around the place. */
    size_t len = strlen(expr), from = pos > 200 ? pos - 200 : 0;
    size_t to = len - from > 300 ? from + 300 : len;
    char echo[320], caret[220];
    size_t k = 0;
    for (size_t i = from; i < to; i++)
        echo[k++] = (unsigned char)expr[i] < 0x20 || expr[i] == 0x7f ? ' ' : expr[i];
    echo[k] = '\0';
    k = 0;
    for (size_t i = from; i < pos && i < to && k < sizeof caret - 2; i++)
        /* a UTF-8 continuation byte takes no column */
        if (((unsigned char)expr[i] & 0xc0) != 0x80)
            caret[k++] = ' ';
    caret[k++] = '^';
    caret[k] = '\0';
    return ss_error_set(err, SS_EUSAGE, NULL, 0, "%s: %s\n  %s\n  %s", option, what, echo,
                        caret);
}

/* ---- tokens ---- */

typedef enum {
    T_END, T_IDENT, T_NUM, T_STR, T_NA, T_LP, T_RP, T_COMMA, T_NOT, T_AND, T_OR, T_AND2,
    T_OR2, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_IN, T_ASSIGN, T_BAD,
} tok_kind;

typedef struct parser {
    ss_subset *s;
    const char *x;     /* EXPR */
    size_t p;          /* next byte */
    tok_kind tk;       /* the current token */
    size_t tpos, tlen;
    char *tstr;        /* T_IDENT, T_STR: its text (owned until taken) */
    double tnum;
    ss_error *err;
    int depth;
} parser;

static int is_ident_start(int c)
{
    return isalpha(c) || c == '.' || c == '_' || c >= 0x80;
}

static int is_ident(int c)
{
    return isalnum(c) || c == '.' || c == '_' || c >= 0x80;
}

static int perr(parser *ps, size_t pos, const char *what)
{
    return fail_at(ps->s->option, ps->x, pos, ps->err, "%s", what);
}

/* A string literal after its opening quote q; R's escapes. */
static int lex_string(parser *ps, char q)
{
    size_t start = ps->p - 1, cap = strlen(ps->x + ps->p) + 1, n = 0;
    char *out = malloc(cap);
    if (!out)
        return ss_error_set(ps->err, SS_EDATA, NULL, 0, "out of memory");
    for (;;) {
        char c = ps->x[ps->p];
        if (c == '\0') {
            free(out);
            return perr(ps, start, "the string has no closing quote");
        }
        ps->p++;
        if (c == q)
            break;
        if (c == '\\') {
            char e = ps->x[ps->p];
            if (e == '\0')
                continue;
            ps->p++;
            switch (e) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case '0': c = '\0'; break;
            case '\\': case '"': case '\'': case '`': case ' ': c = e; break;
            default:
                free(out);
                return perr(ps, ps->p - 2, "unknown escape in the string (R knows \\\\, "
                                           "\\\", \\', \\n, \\t, \\r)");
            }
            if (c == '\0') {
                free(out);
                return perr(ps, ps->p - 2, "a string cannot hold a NUL byte");
            }
        }
        out[n++] = c;
    }
    out[n] = '\0';
    ps->tk = T_STR;
    ps->tstr = out;
    ps->tlen = ps->p - start;
    return SS_OK;
}

static int lex_number(parser *ps)
{
    size_t start = ps->p, i = ps->p;
    const char *x = ps->x;
    while (isdigit((unsigned char)x[i]))
        i++;
    if (x[i] == '.') {
        i++;
        while (isdigit((unsigned char)x[i]))
            i++;
    }
    if (x[i] == 'e' || x[i] == 'E') {
        size_t j = i + 1;
        if (x[j] == '+' || x[j] == '-')
            j++;
        if (isdigit((unsigned char)x[j])) {
            while (isdigit((unsigned char)x[j]))
                j++;
            i = j;
        }
    }
    double v;
    if (ss_number_parse(x + start, i - start, &v) != 0)
        return perr(ps, start, "not a number");
    if (x[i] == 'L')
        i++;
    if (is_ident(x[i]))
        return perr(ps, start, "not a number");
    ps->tk = T_NUM;
    ps->tnum = v;
    ps->p = i;
    ps->tlen = i - start;
    return SS_OK;
}

/* The next token into ps->tk. */
static int lex(parser *ps)
{
    free(ps->tstr);
    ps->tstr = NULL;
    const char *x = ps->x;
    while (x[ps->p] == ' ' || x[ps->p] == '\t' || x[ps->p] == '\n' || x[ps->p] == '\r')
        ps->p++;
    ps->tpos = ps->p;
    ps->tlen = 1;
    char c = x[ps->p];
    if (c == '\0') {
        ps->tk = T_END;
        ps->tlen = 0;
        return SS_OK;
    }
    char d = x[ps->p + 1];
    ps->p++;
    switch (c) {
    case '(': ps->tk = T_LP; return SS_OK;
    case ')': ps->tk = T_RP; return SS_OK;
    case ',': ps->tk = T_COMMA; return SS_OK;
    case '&':
    case '|':
    case '=':
    case '!':
    case '<':
    case '>': {
        static const char ops[] = "&|=!<>";
        static const tok_kind one[] = {T_AND, T_OR, T_ASSIGN, T_NOT, T_LT, T_GT};
        static const tok_kind two[] = {T_AND2, T_OR2, T_EQ, T_NE, T_LE, T_GE};
        size_t k = (size_t)(strchr(ops, c) - ops);
        int pair = (c == '&' || c == '|') ? d == c : d == '=';
        ps->tk = pair ? two[k] : one[k];
        if (pair) {
            ps->p++;
            ps->tlen = 2;
        }
        return SS_OK;
    }
    case '"':
    case '\'':
        return lex_string(ps, c);
    case '`': {
        const char *e = strchr(x + ps->p, '`');
        if (!e || e == x + ps->p)
            return perr(ps, ps->tpos, e ? "empty column name" : "the name has no closing `");
        size_t n = (size_t)(e - (x + ps->p));
        ps->tstr = malloc(n + 1);
        if (!ps->tstr)
            return ss_error_set(ps->err, SS_EDATA, NULL, 0, "out of memory");
        memcpy(ps->tstr, x + ps->p, n);
        ps->tstr[n] = '\0';
        ps->p += n + 1;
        ps->tk = T_IDENT;
        ps->tlen = n + 2;
        return SS_OK;
    }
    case '%':
        if (strncmp(x + ps->p, "in%", 3) == 0) {
            ps->p += 3;
            ps->tk = T_IN;
            ps->tlen = 4;
            return SS_OK;
        }
        ps->tk = T_BAD;
        return SS_OK;
    default:
        break;
    }
    if (isdigit((unsigned char)c) || (c == '.' && isdigit((unsigned char)d))) {
        ps->p--;
        return lex_number(ps);
    }
    if (is_ident_start((unsigned char)c)) {
        size_t start = ps->p - 1;
        while (is_ident((unsigned char)x[ps->p]))
            ps->p++;
        size_t n = ps->p - start;
        ps->tlen = n;
        if (n == 2 && strncmp(x + start, "NA", 2) == 0) {
            ps->tk = T_NA;
            return SS_OK;
        }
        ps->tstr = malloc(n + 1);
        if (!ps->tstr)
            return ss_error_set(ps->err, SS_EDATA, NULL, 0, "out of memory");
        memcpy(ps->tstr, x + start, n);
        ps->tstr[n] = '\0';
        ps->tk = T_IDENT;
        return SS_OK;
    }
    ps->tk = T_BAD;
    return SS_OK;
}

/* ---- the tree ---- */

static void node_free(node *n)
{
    if (!n)
        return;
    node_free(n->a);
    node_free(n->b);
    for (size_t i = 0; i < n->nlit; i++)
        free(n->lits[i].str);
    free(n->lits);
    free(n);
}

static node *node_new(parser *ps, node_kind k, size_t pos)
{
    node *n = calloc(1, sizeof *n);
    if (!n)
        ss_error_set(ps->err, SS_EDATA, NULL, 0, "out of memory");
    else {
        n->kind = k;
        n->pos = pos;
    }
    return n;
}

/* The index of column name (taken over), adding it when new; -1 when out
 * of memory. */
static long add_column(parser *ps, char *name, size_t pos)
{
    ss_subset *s = ps->s;
    for (size_t i = 0; i < s->nnames; i++)
        if (strcmp(s->names[i], name) == 0) {
            free(name);
            return (long)i;
        }
    char **nn = realloc(s->names, (s->nnames + 1) * sizeof *nn);
    if (nn)
        s->names = nn;
    size_t *np = realloc(s->name_pos, (s->nnames + 1) * sizeof *np);
    if (np)
        s->name_pos = np;
    if (!nn || !np) {
        free(name);
        ss_error_set(ps->err, SS_EDATA, NULL, 0, "out of memory");
        return -1;
    }
    s->names[s->nnames] = name;
    s->name_pos[s->nnames] = pos;
    return (long)s->nnames++;
}

static const char *tok_text(const parser *ps, char *buf, size_t size)
{
    size_t n = ps->tlen ? ps->tlen : 1;
    char q[200];
    snprintf(buf, size, "'%s'", ss_error_quote(ps->x + ps->tpos, n, q, 100));
    return buf;
}

static int unexpected(parser *ps, const char *expected)
{
    char b[220], m[400];
    if (ps->tk == T_END)
        snprintf(m, sizeof m, "the condition ends too soon: expected %s", expected);
    else
        snprintf(m, sizeof m, "unexpected %s: expected %s", tok_text(ps, b, sizeof b),
                 expected);
    return perr(ps, ps->tpos, m);
}

/* The current token as a literal (number, possibly signed, string, NA). */
static int take_literal(parser *ps, lit *l)
{
    memset(l, 0, sizeof *l);
    l->pos = ps->tpos;
    double sign = 1;
    if (ps->tk == T_BAD && ps->x[ps->tpos] == '-') {
        sign = -1;
        if (lex(ps) != SS_OK)
            return ps->err->code;
        if (ps->tk != T_NUM)
            return unexpected(ps, "a number after '-'");
    } else if (ps->tk == T_BAD && ps->x[ps->tpos] == '+') {
        if (lex(ps) != SS_OK)
            return ps->err->code;
        if (ps->tk != T_NUM)
            return unexpected(ps, "a number after '+'");
    }
    if (ps->tk == T_NUM) {
        l->kind = L_NUM;
        l->num = sign * ps->tnum;
    } else if (ps->tk == T_STR) {
        l->kind = L_STR;
        l->str = ps->tstr;
        ps->tstr = NULL;
    } else if (ps->tk == T_NA) {
        l->kind = L_NA;
    } else {
        return unexpected(ps, "a number, a quoted string or NA");
    }
    return lex(ps);
}

static int is_literal_start(const parser *ps)
{
    return ps->tk == T_NUM || ps->tk == T_STR || ps->tk == T_NA ||
           (ps->tk == T_BAD && (ps->x[ps->tpos] == '-' || ps->x[ps->tpos] == '+'));
}

static node *parse_or(parser *ps);

/* Parentheses and '!' nest at most this deep (the parser recurses). */
#define MAX_DEPTH 200

/* Into a '(' or a '!' at the current token: 1, else 0 with the error. */
static int descend(parser *ps, const char *too_deep)
{
    if (++ps->depth > MAX_DEPTH) {
        perr(ps, ps->tpos, too_deep);
        return 0;
    }
    return lex(ps) == SS_OK;
}

/* The next token, which must be of kind want: 1, else 0 with the error. */
static int next_is(parser *ps, tok_kind want, const char *expected)
{
    if (lex(ps) != SS_OK)
        return 0;
    if (ps->tk != want) {
        unexpected(ps, expected);
        return 0;
    }
    return 1;
}

/* '%in%' 'c' '(' literals ')' after column n. */
static node *parse_in(parser *ps, node *n)
{
    n->kind = N_IN;
    if (lex(ps) != SS_OK)
        return NULL;
    if (ps->tk != T_IDENT || strcmp(ps->tstr, "c") != 0) {
        unexpected(ps, "c(...) after %in%");
        return NULL;
    }
    if (!next_is(ps, T_LP, "'(' after c") || lex(ps) != SS_OK)
        return NULL;
    if (ps->tk == T_RP) { /* c() is NULL: nothing is in it */
        return lex(ps) == SS_OK ? n : NULL;
    }
    for (;;) {
        lit *nl = realloc(n->lits, (n->nlit + 1) * sizeof *nl);
        if (!nl) {
            ss_error_set(ps->err, SS_EDATA, NULL, 0, "out of memory");
            return NULL;
        }
        n->lits = nl;
        if (take_literal(ps, &n->lits[n->nlit]) != SS_OK) {
            free(n->lits[n->nlit].str);
            return NULL;
        }
        n->nlit++;
        if (ps->tk == T_RP)
            return lex(ps) == SS_OK ? n : NULL;
        if (ps->tk != T_COMMA) {
            unexpected(ps, "',' or ')' in c(...)");
            return NULL;
        }
        if (lex(ps) != SS_OK)
            return NULL;
    }
}

static node *parse_term(parser *ps)
{
    size_t pos = ps->tpos;
    if (ps->tk == T_LP) {
        if (!descend(ps, "parentheses nested too deep"))
            return NULL;
        node *n = parse_or(ps);
        if (!n)
            return NULL;
        if (ps->tk != T_RP) {
            unexpected(ps, "')'");
            node_free(n);
            return NULL;
        }
        ps->depth--;
        if (lex(ps) != SS_OK) {
            node_free(n);
            return NULL;
        }
        return n;
    }
    if (is_literal_start(ps)) {
        node *n = node_new(ps, N_LIT, pos);
        if (!n)
            return NULL;
        n->lits = calloc(1, sizeof *n->lits);
        if (!n->lits) {
            ss_error_set(ps->err, SS_EDATA, NULL, 0, "out of memory");
            node_free(n);
            return NULL;
        }
        n->nlit = 1;
        if (take_literal(ps, n->lits) != SS_OK) {
            node_free(n);
            return NULL;
        }
        return n;
    }
    if (ps->tk != T_IDENT) {
        unexpected(ps, "a column, a value, '!', 'is.na(' or '('");
        return NULL;
    }
    if (ps->x[ps->tpos] != '`' && (!strcmp(ps->tstr, "TRUE") || !strcmp(ps->tstr, "FALSE"))) {
        /* R's logical constants: a number 1 or 0 here */
        node *n = node_new(ps, N_LIT, pos);
        if (!n || !(n->lits = calloc(1, sizeof *n->lits))) {
            node_free(n);
            ss_error_set(ps->err, SS_EDATA, NULL, 0, "out of memory");
            return NULL;
        }
        n->nlit = 1;
        n->lits->kind = L_NUM;
        n->lits->num = ps->tstr[0] == 'T';
        n->lits->pos = pos;
        return lex(ps) == SS_OK ? n : (node_free(n), NULL);
    }
    /* is.na(COLUMN): a function call; a column of that name would need
     * backquotes, as in R. */
    int isna = strcmp(ps->tstr, "is.na") == 0 && ps->x[ps->tpos] != '`';
    if (isna && (!next_is(ps, T_LP, "'(' after is.na") ||
                 !next_is(ps, T_IDENT, "a column in is.na()")))
        return NULL;
    size_t cpos = ps->tpos;
    long col = add_column(ps, ps->tstr, cpos);
    ps->tstr = NULL;
    if (col < 0)
        return NULL;
    node *n = node_new(ps, isna ? N_ISNA : N_BARE, isna ? pos : cpos);
    if (!n)
        return NULL;
    n->col = (size_t)col;
    if (lex(ps) != SS_OK) {
        node_free(n);
        return NULL;
    }
    if (ps->tk == T_LP && !isna) {
        char m[200];
        snprintf(m, sizeof m, "'%s(' is not a function survstat knows: use is.na(), %%in%% c()",
                 ps->s->names[col]);
        perr(ps, cpos, m);
        node_free(n);
        return NULL;
    }
    if (isna) {
        if (ps->tk != T_RP) {
            unexpected(ps, "')' after the column in is.na(");
            node_free(n);
            return NULL;
        }
        if (lex(ps) != SS_OK) {
            node_free(n);
            return NULL;
        }
        return n;
    }
    if (ps->tk == T_IN && !parse_in(ps, n)) {
        node_free(n);
        return NULL;
    }
    return n;
}

static int cmp_token(tok_kind t, cmp_op *op)
{
    static const tok_kind tk[] = {T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE};
    for (int i = 0; i < 6; i++)
        if (t == tk[i]) {
            *op = (cmp_op)i;
            return 1;
        }
    return 0;
}

/* A comparison: a column on one side, a literal on the other. */
static node *parse_comp(parser *ps)
{
    size_t pos = ps->tpos;
    node *l = parse_term(ps);
    if (!l)
        return NULL;
    cmp_op op;
    if (ps->tk == T_ASSIGN) {
        perr(ps, ps->tpos, "'=' is not a comparison: write '=='");
        node_free(l);
        return NULL;
    }
    if (!cmp_token(ps->tk, &op))
        return l;
    size_t oppos = ps->tpos;
    if (lex(ps) != SS_OK) {
        node_free(l);
        return NULL;
    }
    size_t rpos = ps->tpos;
    node *r = parse_term(ps);
    if (!r) {
        node_free(l);
        return NULL;
    }
    node *out = NULL;
    if (l->kind == N_BARE && r->kind == N_LIT) {
        out = l;
        out->lits = r->lits;
        out->nlit = 1;
        r->lits = NULL;
        r->nlit = 0;
        node_free(r);
    } else if (l->kind == N_LIT && r->kind == N_BARE) {
        /* 5 < x is x > 5 */
        static const cmp_op flip[] = {OP_EQ, OP_NE, OP_GT, OP_GE, OP_LT, OP_LE};
        op = flip[op];
        out = r;
        out->lits = l->lits;
        out->nlit = 1;
        l->lits = NULL;
        l->nlit = 0;
        node_free(l);
    } else {
        int both_cols = l->kind == N_BARE && r->kind == N_BARE;
        perr(ps, l->kind == N_BARE || l->kind == N_LIT ? rpos : pos,
             both_cols ? "a comparison of two columns is not supported: compare a column "
                         "with a number or a quoted string"
                       : "a comparison needs a column on one side and a number, a quoted "
                         "string or NA on the other");
        node_free(l);
        node_free(r);
        return NULL;
    }
    out->kind = N_CMP;
    out->op = op;
    (void)oppos;
    if (cmp_token(ps->tk, &op)) {
        perr(ps, ps->tpos, "comparisons do not chain in R: join them with '&'");
        node_free(out);
        return NULL;
    }
    return out;
}

static node *parse_not(parser *ps)
{
    if (ps->tk != T_NOT)
        return parse_comp(ps);
    size_t pos = ps->tpos;
    if (!descend(ps, "too many '!'"))
        return NULL;
    node *a = parse_not(ps);
    ps->depth--;
    if (!a)
        return NULL;
    node *n = node_new(ps, N_NOT, pos);
    if (!n) {
        node_free(a);
        return NULL;
    }
    n->a = a;
    return n;
}

static node *parse_binary(parser *ps, int or)
{
    node *l = or ? parse_binary(ps, 0) : parse_not(ps);
    while (l) {
        tok_kind single = or ? T_OR : T_AND, dbl = or ? T_OR2 : T_AND2;
        if (ps->tk == dbl) {
            perr(ps, ps->tpos,
                 or ? "'||' looks at the first row alone in R: use '|' for rows"
                    : "'&&' looks at the first row alone in R: use '&' for rows");
            node_free(l);
            return NULL;
        }
        if (ps->tk != single)
            break;
        size_t pos = ps->tpos;
        if (lex(ps) != SS_OK) {
            node_free(l);
            return NULL;
        }
        node *r = or ? parse_binary(ps, 0) : parse_not(ps);
        if (!r) {
            node_free(l);
            return NULL;
        }
        node *n = node_new(ps, or ? N_OR : N_AND, pos);
        if (!n) {
            node_free(l);
            node_free(r);
            return NULL;
        }
        n->a = l;
        n->b = r;
        l = n;
    }
    return l;
}

static node *parse_or(parser *ps)
{
    return parse_binary(ps, 1);
}

void ss_subset_free(ss_subset *s)
{
    if (!s)
        return;
    node_free(s->root);
    for (size_t i = 0; i < s->nnames; i++)
        free(s->names[i]);
    free(s->names);
    free(s->name_pos);
    free(s->text);
    free(s);
}

int ss_subset_parse(const char *expr, const char *option, ss_subset **out, ss_error *err)
{
    *out = NULL;
    ss_subset *s = calloc(1, sizeof *s);
    if (!s || !(s->text = strdup(expr))) {
        free(s);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    s->option = option;
    parser ps = {.s = s, .x = s->text, .err = err};
    int rc = lex(&ps);
    if (rc == SS_OK && ps.tk == T_END)
        rc = perr(&ps, 0, "the condition is empty: give one such as \"age >= 60\"");
    if (rc == SS_OK) {
        s->root = parse_or(&ps);
        if (!s->root)
            rc = err->code ? err->code : SS_EUSAGE;
        else if (ps.tk == T_RP)
            rc = perr(&ps, ps.tpos, "unexpected ')': it closes no '('");
        else if (ps.tk != T_END)
            rc = unexpected(&ps, "'&', '|', a comparison or the end");
    }
    free(ps.tstr);
    if (rc == SS_OK && s->root->kind == N_LIT)
        rc = perr(&ps, 0, "the condition names no column");
    if (rc != SS_OK) {
        ss_subset_free(s);
        return rc;
    }
    *out = s;
    return SS_OK;
}

size_t ss_subset_columns(const ss_subset *s, const char *const **names)
{
    *names = (const char *const *)s->names;
    return s->nnames;
}

const char *ss_subset_text(const ss_subset *s)
{
    return s->text;
}

int ss_subset_unknown(const ss_subset *s, const char *name, ss_error *err)
{
    for (size_t i = 0; i < s->nnames; i++)
        if (strcmp(s->names[i], name) == 0) {
            char q[200];
            return fail_at(s->option, s->text, s->name_pos[i], err,
                           "no column '%s' in the data",
                           ss_error_quote(name, strlen(name), q, 150));
        }
    return SS_OK;
}

/* ---- evaluation ---- */

int ss_subset_level_matches(const ss_column *c, int32_t code, const char *s)
{
    if (strcmp(c->levels.str[code], s) == 0)
        return 1;
    double v;
    if (c->level_num && !isnan(c->level_num[code]) && ss_number_parse(s, strlen(s), &v) == 0 &&
        v == c->level_num[code])
        return 1;
    /* The label of this level, when it names no other (a code first). */
    const char *lab = ss_column_code_label(c, code);
    return lab && strcmp(lab, s) == 0 && ss_column_label_code(c, s, strlen(s)) == code;
}

/* A quoted string of the condition n that is the label of several levels
 * of c: a usage error pointing at it (CLI.md: labels where unambiguous). */
static int ambiguous_label(const ss_subset *s, const node *n, const ss_column *c, ss_error *err)
{
    for (size_t j = 0; j < n->nlit; j++) {
        const lit *l = &n->lits[j];
        if (l->kind == L_STR && ss_column_label_code(c, l->str, strlen(l->str)) == -2)
            return fail_at(s->option, s->text, n->pos, err,
                           "'%s' is the label of several levels of '%s': give the code",
                           l->str, s->names[n->col]);
    }
    return SS_OK;
}

static unsigned char order_result(cmp_op op, int sign)
{
    switch (op) {
    case OP_EQ: return sign == 0;
    case OP_NE: return sign != 0;
    case OP_LT: return sign < 0;
    case OP_LE: return sign <= 0;
    case OP_GT: return sign > 0;
    default: return sign >= 0;
    }
}

static double level_number(const ss_column *c, int32_t k)
{
    return c->level_num ? c->level_num[k] : NAN;
}

/* A level no row holds (a missing-value code). */
static int unused(const ss_column *c, size_t k)
{
    return c->level_count && c->level_count[k] == 0;
}

/* Per level k of c: the value of "level OP literal". */
static int decide_levels(const ss_subset *s, const node *n, const ss_column *c,
                         unsigned char *lv, ss_error *err)
{
    const lit *l = &n->lits[0];
    for (size_t k = 0; k < c->levels.n; k++) {
        double x = level_number(c, (int32_t)k);
        if (unused(c, k) || l->kind == L_NA) {
            lv[k] = V_NA;
        } else if (l->kind == L_NUM) {
            if (!isnan(x)) {
                lv[k] = order_result(n->op, x < l->num ? -1 : x > l->num ? 1 : 0);
            } else if (n->op == OP_EQ || n->op == OP_NE) {
                lv[k] = n->op == OP_NE;
            } else {
                char q[200];
                return fail_at(s->option, s->text, n->pos,
                               err, "column '%s' holds text ('%s'): compare it with a quoted "
                               "string, or use == or %%in%% (R would order the texts)",
                               s->names[n->col],
                               ss_error_quote(c->levels.str[k], c->levels.len[k], q, 60));
            }
        } else if (n->op == OP_EQ || n->op == OP_NE) {
            int m = ss_subset_level_matches(c, (int32_t)k, l->str);
            lv[k] = n->op == OP_EQ ? m : !m;
        } else {
            double v;
            int sign;
            if (c->numeric && !isnan(x) && ss_number_parse(l->str, strlen(l->str), &v) == 0)
                sign = x < v ? -1 : x > v ? 1 : 0;
            else
                sign = strcmp(c->levels.str[k], l->str);
            lv[k] = order_result(n->op, sign < 0 ? -1 : sign > 0 ? 1 : 0);
        }
    }
    return SS_OK;
}

static int in_levels(const node *n, const ss_column *c, unsigned char *lv, int *na_in)
{
    *na_in = 0;
    for (size_t j = 0; j < n->nlit; j++)
        *na_in |= n->lits[j].kind == L_NA;
    for (size_t k = 0; k < c->levels.n; k++) {
        double x = level_number(c, (int32_t)k);
        int m = 0;
        for (size_t j = 0; j < n->nlit && !m; j++) {
            const lit *l = &n->lits[j];
            if (l->kind == L_NUM)
                m = !isnan(x) && x == l->num;
            else if (l->kind == L_STR)
                m = ss_subset_level_matches(c, (int32_t)k, l->str);
        }
        lv[k] = (unsigned char)m;
    }
    return SS_OK;
}

static int bare_levels(const ss_subset *s, const node *n, const ss_column *c, unsigned char *lv,
                       ss_error *err)
{
    static const char *const yes[] = {"TRUE", "true", "True", "T"};
    static const char *const no[] = {"FALSE", "false", "False", "F"};
    for (size_t k = 0; k < c->levels.n; k++) {
        double x = level_number(c, (int32_t)k);
        int v = -1;
        if (unused(c, k)) {
            lv[k] = V_NA;
            continue;
        }
        for (int j = 0; j < 4 && v < 0; j++)
            if (strcmp(c->levels.str[k], yes[j]) == 0)
                v = 1;
            else if (strcmp(c->levels.str[k], no[j]) == 0)
                v = 0;
        if (v < 0 && !isnan(x))
            v = x != 0;
        if (v < 0) {
            char q[200];
            return fail_at(s->option, s->text, n->pos, err,
                           "column '%s' is neither logical nor numeric ('%s'): compare it, as "
                           "%s == \"%s\"",
                           s->names[n->col],
                           ss_error_quote(c->levels.str[k], c->levels.len[k], q, 60),
                           s->names[n->col], q);
        }
        lv[k] = (unsigned char)v;
    }
    return SS_OK;
}

static int eval_node(const ss_subset *s, const node *n, const ss_table *t, unsigned char *v,
                     ss_error *err)
{
    size_t nrow = t->nrow;
    if (n->kind == N_OR || n->kind == N_AND) {
        unsigned char *b = malloc(nrow ? nrow : 1);
        if (!b)
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        int rc = eval_node(s, n->a, t, v, err);
        if (rc == SS_OK)
            rc = eval_node(s, n->b, t, b, err);
        unsigned char win = n->kind == N_OR ? V_TRUE : V_FALSE;
        for (size_t i = 0; i < nrow && rc == SS_OK; i++)
            v[i] = v[i] == win || b[i] == win ? win
                   : v[i] == V_NA || b[i] == V_NA ? V_NA : (unsigned char)!win;
        free(b);
        return rc;
    }
    if (n->kind == N_NOT) {
        int rc = eval_node(s, n->a, t, v, err);
        for (size_t i = 0; i < nrow && rc == SS_OK; i++)
            v[i] = v[i] == V_NA ? V_NA : (unsigned char)!v[i];
        return rc;
    }
    if (n->kind == N_LIT) { /* a constant: TRUE for a non-zero number, as R */
        const lit *l = n->lits;
        unsigned char x = l->kind == L_NUM ? l->num != 0 : V_NA;
        if (l->kind == L_STR)
            return fail_at(s->option, s->text, n->pos, err,
                           "a string alone is not a condition: compare a column with it");
        memset(v, x, nrow);
        return SS_OK;
    }
    const ss_column *c = ss_table_find(t, s->names[n->col]);
    if (!c || !c->code)
        return ss_subset_unknown(s, s->names[n->col], err) ? SS_EUSAGE
               : ss_error_set(err, SS_EDATA, NULL, 0, "column '%s' was not read",
                              s->names[n->col]);
    if (n->kind == N_ISNA) {
        for (size_t i = 0; i < nrow; i++)
            v[i] = c->code[i] < 0;
        return SS_OK;
    }
    unsigned char *lv = malloc(c->levels.n ? c->levels.n : 1);
    if (!lv)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    int rc, na_in = 0;
    unsigned char missing = V_NA;
    rc = n->kind == N_CMP || n->kind == N_IN ? ambiguous_label(s, n, c, err) : SS_OK;
    if (rc != SS_OK)
        ;
    else if (n->kind == N_CMP)
        rc = decide_levels(s, n, c, lv, err);
    else if (n->kind == N_IN)
        rc = in_levels(n, c, lv, &na_in), missing = (unsigned char)na_in;
    else
        rc = bare_levels(s, n, c, lv, err);
    for (size_t i = 0; i < nrow && rc == SS_OK; i++)
        v[i] = c->code[i] < 0 ? missing : lv[c->code[i]];
    free(lv);
    return rc;
}

int ss_subset_eval(const ss_subset *s, const ss_table *t, unsigned char *keep, ss_error *err)
{
    int rc = eval_node(s, s->root, t, keep, err);
    for (size_t i = 0; i < t->nrow && rc == SS_OK; i++)
        keep[i] = keep[i] == V_TRUE;
    return rc;
}
