/* ss_grid_write_opts and ss_sheets_write: every format, workbooks
 * included (xlsx.c), on top of the plain writers of writer.c. */
#include "ss_writer.h"

#include <stdio.h>

int ss_grid_write_opts(FILE *fp, const ss_grid *g, ss_format f, const ss_write_opts *o)
{
    static const ss_write_opts none = {0};
    if (!o)
        o = &none;
    if (f == SS_FMT_XLSX) {
        ss_sheet one = {o->sheet ? o->sheet : "results", g};
        return ss_xlsx_write(fp, &one, 1, o);
    }
    return ss_grid_write_plain(fp, g, f, o);
}

int ss_sheets_write(FILE *fp, ss_format f, const ss_sheet *s, size_t n, const ss_write_opts *o)
{
    static const ss_write_opts none = {0};
    if (!o)
        o = &none;
    if (f == SS_FMT_XLSX)
        return ss_xlsx_write(fp, s, n, o);
    if (f == SS_FMT_HTML) {
        ss_html_begin(fp, o->title ? o->title : "survstat");
        if (o->title)
            ss_html_heading(fp, 1, o->title);
        for (size_t k = 0; k < n; k++) {
            ss_html_heading(fp, 2, s[k].name);
            if (s[k].grid)
                ss_html_grid(fp, s[k].grid, o);
            for (size_t b = 0; !s[k].grid && b < s[k].nblocks; b++)
                ss_html_layout(fp, &s[k].blocks[b]);
        }
        ss_html_about(fp, o->about);
        ss_html_end(fp);
        return ferror(fp) ? -1 : 0;
    }
    for (size_t k = 0; k < n; k++) {
        if (!s[k].grid)
            continue; /* laid-out sheets: xlsx and html only */
        if (k)
            fputc('\n', fp);
        if (f == SS_FMT_MD)
            fprintf(fp, "## %s\n\n", s[k].name);
        else if (f == SS_FMT_TEXT)
            fprintf(fp, "%s\n\n", s[k].name);
        if (ss_grid_write_plain(fp, s[k].grid, f, o) != 0)
            return -1;
    }
    return ferror(fp) ? -1 : 0;
}
