/* ss_layout: a table laid out for people, with merged header cells (the
 * wide table of survstat table), and its html form; xlsx.c writes it into
 * a workbook. */
#include "ss_writer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ss_layout_init(ss_layout *l, size_t nrow, size_t ncol, size_t nhead, const char *title)
{
    memset(l, 0, sizeof *l);
    size_t ncell = nrow * ncol;
    l->cell = calloc(ncell ? ncell : 1, sizeof *l->cell);
    l->total = calloc(nrow ? nrow : 1, 1);
    l->title = strdup(title ? title : "");
    if (!l->cell || !l->total || !l->title) {
        ss_layout_free(l);
        return -1;
    }
    l->nrow = nrow;
    l->ncol = ncol;
    l->nhead = nhead;
    for (size_t k = 0; k < nrow * ncol; k++) {
        l->cell[k].rowspan = l->cell[k].colspan = 1;
        l->cell[k].num = NAN;
    }
    return 0;
}

void ss_layout_free(ss_layout *l)
{
    if (!l)
        return;
    for (size_t k = 0; l->cell && k < l->nrow * l->ncol; k++)
        free(l->cell[k].text);
    for (size_t k = 0; k < l->nnote; k++)
        free(l->note[k]);
    free(l->note);
    free(l->cell);
    free(l->total);
    free(l->title);
    memset(l, 0, sizeof *l);
}

ss_lay_cell *ss_layout_at(const ss_layout *l, size_t i, size_t j)
{
    return &l->cell[i * l->ncol + j];
}

int ss_layout_text(ss_layout *l, size_t i, size_t j, const char *s)
{
    ss_lay_cell *c = ss_layout_at(l, i, j);
    char *t = strdup(s ? s : "");
    if (!t)
        return -1;
    free(c->text);
    c->text = t;
    c->kind = *t ? SS_LAY_TEXT : SS_LAY_EMPTY;
    return 0;
}

int ss_layout_number(ss_layout *l, size_t i, size_t j, double x, ss_lay_kind kind,
                     const char *shown)
{
    char buf[64];
    if (!shown) {
        if (kind == SS_LAY_PERCENT)
            snprintf(buf, sizeof buf, "%.1f", 100 * x);
        else if (kind == SS_LAY_COUNT)
            snprintf(buf, sizeof buf, "%.0f", x);
        else
            snprintf(buf, sizeof buf, "%.4g", x);
        shown = buf;
    }
    if (isnan(x))
        return ss_layout_text(l, i, j, "");
    if (ss_layout_text(l, i, j, shown) != 0)
        return -1;
    ss_lay_cell *c = ss_layout_at(l, i, j);
    c->kind = (unsigned char)kind;
    c->num = x;
    return 0;
}

void ss_layout_span(ss_layout *l, size_t i, size_t j, size_t rows, size_t cols)
{
    ss_lay_cell *c = ss_layout_at(l, i, j);
    c->rowspan = (unsigned)rows;
    c->colspan = (unsigned)cols;
    for (size_t a = i; a < i + rows && a < l->nrow; a++)
        for (size_t b = j; b < j + cols && b < l->ncol; b++)
            if (a != i || b != j)
                ss_layout_at(l, a, b)->kind = SS_LAY_COVERED;
}

int ss_layout_note(ss_layout *l, const char *s)
{
    char **n = realloc(l->note, (l->nnote + 1) * sizeof *n);
    if (!n)
        return -1;
    l->note = n;
    if (!(n[l->nnote] = strdup(s)))
        return -1;
    l->nnote++;
    return 0;
}

int ss_layout_crosstab(ss_layout *l, const char *title, const char *corner, const char *colvar,
                       const char *const *levels, size_t nc, size_t sub,
                       const char *const *sub_names, size_t nbody)
{
    const size_t nhead = (nc ? 2 : 1) + (sub > 1 ? 1 : 0);
    if (ss_layout_init(l, nhead + nbody, 1 + (nc + 1) * sub, nhead, title) != 0)
        return -1;
    int rc = ss_layout_text(l, 0, 0, corner);
    ss_layout_span(l, 0, 0, nhead, 1);
    if (nc) {
        rc |= ss_layout_text(l, 0, 1, colvar);
        ss_layout_span(l, 0, 1, 1, nc * sub);
        for (size_t b = 0; b < nc; b++) {
            rc |= ss_layout_text(l, 1, 1 + b * sub, levels[b]);
            ss_layout_span(l, 1, 1 + b * sub, 1, sub);
        }
    }
    rc |= ss_layout_text(l, 0, 1 + nc * sub, "Total");
    ss_layout_span(l, 0, 1 + nc * sub, nc ? 2 : 1, sub);
    for (size_t b = 0; sub > 1 && b <= nc; b++)
        for (size_t k = 0; k < sub; k++)
            rc |= ss_layout_text(l, nhead - 1, 1 + b * sub + k, sub_names[k]);
    return rc ? -1 : 0;
}

/* A cell's tag and attributes: header rows and the first column are th
 * (the row's label), numbers right-aligned. */
static void open_cell(FILE *fp, const ss_lay_cell *c, int head, int rowhead)
{
    const char *tag = head || rowhead ? "th" : "td";
    fprintf(fp, "<%s", tag);
    if (head)
        fputs(" scope=\"col\"", fp);
    else if (rowhead)
        fputs(" scope=\"row\"", fp);
    if (c->rowspan > 1)
        fprintf(fp, " rowspan=\"%u\"", c->rowspan);
    if (c->colspan > 1)
        fprintf(fp, " colspan=\"%u\"", c->colspan);
    if (!head && !rowhead)
        fputs(" class=\"num\"", fp);
    fputc('>', fp);
}

void ss_html_layout(FILE *fp, const ss_layout *l)
{
    fputs("<table class=\"wide\">\n", fp);
    if (l->title && *l->title) {
        fputs("<caption>", fp);
        ss_html_text(fp, l->title);
        fputs("</caption>\n", fp);
    }
    for (size_t i = 0; i < l->nrow; i++) {
        int head = i < l->nhead;
        if (i == 0 && head)
            fputs("<thead>\n", fp);
        if (i == l->nhead)
            fputs("<tbody>\n", fp);
        fputs(l->total[i] ? "<tr class=\"total\">" : "<tr>", fp);
        for (size_t j = 0; j < l->ncol; j++) {
            const ss_lay_cell *c = ss_layout_at(l, i, j);
            if (c->kind == SS_LAY_COVERED)
                continue;
            open_cell(fp, c, head, j == 0);
            ss_html_text(fp, c->text ? c->text : "");
            fputs(head || j == 0 ? "</th>" : "</td>", fp);
        }
        fputs("</tr>\n", fp);
        if (i + 1 == l->nhead)
            fputs("</thead>\n", fp);
    }
    if (l->nrow > l->nhead)
        fputs("</tbody>\n", fp);
    fputs("</table>\n", fp);
    for (size_t k = 0; k < l->nnote; k++) {
        fputs("<p class=\"note\">", fp);
        ss_html_text(fp, l->note[k]);
        fputs("</p>\n", fp);
    }
}
