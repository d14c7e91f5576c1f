/* xlsx output through libxlsxwriter: one sheet per grid (the header bold
 * and frozen, an autofilter, the widths fitted to the cells) or per list
 * of laid-out tables (ss_layout: merged header cells, percentages and
 * counts in number formats, the total row bold), then the sheet "about"
 * with the key and value pairs of ss_write_opts.about.
 *
 * Numbers are stored as numbers with every digit: libxlsxwriter 1.1.4
 * writes a number with printf's "%.16G", which does not give back the same
 * double for about one value in ten, so the workbook is rewritten once
 * written (minizip): each number cell's <v> gets the 17 significant digits
 * of the value written there (the csv's digits).  With --percent the
 * proportions' estimate, se and interval keep their values and show in
 * percent through a number format. */
#define _GNU_SOURCE /* memmem */
#include "ss_writer.h"

#include "ss_dl.h"
#include "ss_number.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <minizip/unzip.h>
#include <minizip/zip.h>

/* libxlsxwriter, loaded on the first workbook (ss_dl.h). */
static const ss_dl_xlsxwriter *lxw;

/* The numbers written into one sheet, in row-major order. */
typedef struct num_cell {
    unsigned row, col;
    double x;
} num_cell;

typedef struct sheet_nums {
    num_cell *v;
    size_t n, cap;
} sheet_nums;

static int nums_add(sheet_nums *s, unsigned row, unsigned col, double x)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 256;
        num_cell *v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = (num_cell){row, col, x};
    return 0;
}

static const num_cell *nums_find(const sheet_nums *s, unsigned row, unsigned col)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const num_cell *c = &s->v[mid];
        if (c->row < row || (c->row == row && c->col < col))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n && s->v[lo].row == row && s->v[lo].col == col ? &s->v[lo] : NULL;
}

/* A sheet name Excel accepts: at most 31 characters, none of []:*?/\,
 * unique in the book (a suffix ~2, ~3 ... when taken). */
static void sheet_name(char *out, size_t size, const char *name, char names[][32], size_t n)
{
    char base[32];
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)(name && *name ? name : "sheet");
         *p && k < 28;) {
        size_t len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : 4;
        if (k + len > 28)
            break;
        if (len == 1) {
            base[k++] = strchr("[]:*?/\\'", *p) ? '_' : (char)*p;
            p++;
        } else {
            for (size_t i = 0; i < len && p[i]; i++)
                base[k++] = (char)p[i];
            p += len;
        }
    }
    base[k] = '\0';
    snprintf(out, size, "%s", base);
    for (int tries = 2;; tries++) {
        int taken = 0;
        for (size_t i = 0; i < n && !taken; i++)
            taken = strcasecmp(names[i], out) == 0;
        if (!taken)
            return;
        char t[64];
        snprintf(t, sizeof t, "%.24s~%d", base, tries % 100000);
        snprintf(out, size, "%.31s", t);
    }
}

static lxw_error grid_sheet(lxw_workbook *wb, const char *name, const ss_grid *g,
                            const ss_write_opts *o, sheet_nums *nums, lxw_format *head,
                            lxw_format *pct, lxw_format *pct_se)
{
    lxw_worksheet *ws = lxw->workbook_add_worksheet(wb, name);
    if (!ws)
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
    double *width = calloc(g->ncol ? g->ncol : 1, sizeof *width);
    if (!width)
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
    lxw_error e = LXW_NO_ERROR;
    for (size_t j = 0; j < g->ncol && !e; j++) {
        e = lxw->worksheet_write_string(ws, 0, (lxw_col_t)j, g->name[j], head);
        width[j] = (double)ss_display_width(g->name[j]) + 2;
    }
    for (size_t i = 0; i < g->nrow && !e; i++) {
        const ss_cell *c = &g->cell[i * g->ncol];
        int prow = o && o->percent && ss_grid_percent_row(g, i);
        for (size_t j = 0; j < g->ncol && !e; j++) {
            lxw_row_t r = (lxw_row_t)(i + 1);
            lxw_col_t k = (lxw_col_t)j;
            int num = g->is_number[j] || (!c[j].text && !isnan(c[j].num));
            if (num && isnan(c[j].num))
                continue; /* a missing number: an empty cell, as in csv */
            if (num && isinf(c[j].num)) {
                e = lxw->worksheet_write_string(ws, r, k, c[j].num > 0 ? "Inf" : "-Inf", NULL);
                continue;
            }
            if (num) {
                lxw_format *f = NULL;
                if (prow && (!strcmp(g->name[j], "estimate") || !strcmp(g->name[j], "ci_low") ||
                             !strcmp(g->name[j], "ci_high")))
                    f = pct;
                else if (prow && !strcmp(g->name[j], "se"))
                    f = pct_se;
                e = lxw->worksheet_write_number(ws, r, k, c[j].num, f);
                if (!e && nums_add(nums, r, k, c[j].num) != 0)
                    e = LXW_ERROR_MEMORY_MALLOC_FAILED;
                /* what Excel's General format shows: up to 11 characters */
                if (width[j] < 13)
                    width[j] = 13;
                continue;
            }
            const char *t = c[j].text ? c[j].text : "";
            if (*t)
                e = lxw->worksheet_write_string(ws, r, k, t, NULL);
            double w = (double)ss_display_width(t) + 2;
            if (w > width[j])
                width[j] = w;
        }
    }
    for (size_t j = 0; j < g->ncol && !e; j++)
        e = lxw->worksheet_set_column(ws, (lxw_col_t)j, (lxw_col_t)j, width[j] > 60 ? 60 : width[j],
                                 NULL);
    if (!e)
        lxw->worksheet_freeze_panes(ws, 1, 0);
    if (!e && g->ncol > 0)
        e = lxw->worksheet_autofilter(ws, 0, 0, (lxw_row_t)g->nrow, (lxw_col_t)(g->ncol - 1));
    free(width);
    return e;
}

/* The formats of a laid-out sheet. */
typedef struct lay_formats {
    lxw_format *title, *head, *text, *pct, *count, *num;
    lxw_format *ttext, *tpct, *tcount, *tnum; /* the total row's */
} lay_formats;

static lay_formats lay_formats_add(lxw_workbook *wb)
{
    lay_formats f;
    lxw_format **all[] = {&f.title, &f.head, &f.text, &f.pct, &f.count, &f.num,
                          &f.ttext, &f.tpct, &f.tcount, &f.tnum};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        *all[k] = lxw->workbook_add_format(wb);
    lxw->format_set_bold(f.title);
    lxw->format_set_font_size(f.title, 12);
    lxw->format_set_bold(f.head);
    lxw->format_set_align(f.head, LXW_ALIGN_CENTER);
    lxw->format_set_align(f.head, LXW_ALIGN_VERTICAL_CENTER);
    lxw->format_set_text_wrap(f.head);
    lxw->format_set_border(f.head, LXW_BORDER_THIN);
    lxw->format_set_bg_color(f.head, 0xF3F6F9);
    lxw_format *body[] = {f.ttext, f.tpct, f.tcount, f.tnum};
    for (size_t k = 0; k < 4; k++) {
        lxw->format_set_bold(body[k]);
        lxw->format_set_top(body[k], LXW_BORDER_THIN);
    }
    lxw->format_set_num_format(f.pct, "0.0%");
    lxw->format_set_num_format(f.tpct, "0.0%");
    lxw->format_set_num_format(f.count, "#,##0");
    lxw->format_set_num_format(f.tcount, "#,##0");
    lxw->format_set_align(f.text, LXW_ALIGN_RIGHT);
    lxw->format_set_align(f.ttext, LXW_ALIGN_RIGHT);
    return f;
}

/* The blocks of one sheet, one under another (the title, the table with
 * its merged header cells, the notes, a blank row); every number into nums
 * (row-major, as written). */
static lxw_error layout_sheet(lxw_workbook *wb, const char *name, const ss_layout *blocks,
                              size_t nblocks, sheet_nums *nums, const lay_formats *f)
{
    lxw_worksheet *ws = lxw->workbook_add_worksheet(wb, name);
    if (!ws)
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
    size_t ncol = 1;
    for (size_t b = 0; b < nblocks; b++)
        ncol = blocks[b].ncol > ncol ? blocks[b].ncol : ncol;
    double *width = calloc(ncol, sizeof *width);
    if (!width)
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
    lxw_error e = LXW_NO_ERROR;
    lxw_row_t r = 0;
    for (size_t b = 0; b < nblocks && !e; b++) {
        const ss_layout *l = &blocks[b];
        if (l->title && *l->title)
            e = lxw->worksheet_write_string(ws, r++, 0, l->title, f->title);
        for (size_t i = 0; i < l->nrow && !e; i++, r++) {
            int head = i < l->nhead, tot = l->total[i];
            for (size_t j = 0; j < l->ncol && !e; j++) {
                const ss_lay_cell *c = ss_layout_at(l, i, j);
                lxw_col_t k = (lxw_col_t)j;
                const char *t = c->text ? c->text : "";
                if (c->kind == SS_LAY_COVERED)
                    continue;
                if (c->rowspan > 1 || c->colspan > 1) {
                    e = lxw->worksheet_merge_range(ws, r, k, (lxw_row_t)(r + c->rowspan - 1),
                                              (lxw_col_t)(k + c->colspan - 1), t,
                                              head ? f->head : NULL);
                    continue;
                }
                double w = (double)ss_display_width(t) + 2;
                if (c->kind == SS_LAY_PERCENT || c->kind == SS_LAY_COUNT ||
                    c->kind == SS_LAY_NUMBER) {
                    lxw_format *nf = c->kind == SS_LAY_PERCENT ? (tot ? f->tpct : f->pct)
                                     : c->kind == SS_LAY_COUNT ? (tot ? f->tcount : f->count)
                                                               : (tot ? f->tnum : f->num);
                    e = lxw->worksheet_write_number(ws, r, k, c->num, nf);
                    if (!e && nums_add(nums, r, k, c->num) != 0)
                        e = LXW_ERROR_MEMORY_MALLOC_FAILED;
                    w = w < 9 ? 9 : w;
                } else if (head) {
                    e = lxw->worksheet_write_string(ws, r, k, t, f->head);
                } else if (*t || tot) {
                    lxw_format *tf = j == 0 ? (tot ? f->tnum : NULL) : (tot ? f->ttext : f->text);
                    e = *t ? lxw->worksheet_write_string(ws, r, k, t, tf)
                           : lxw->worksheet_write_blank(ws, r, k, tf);
                }
                if (w > width[j])
                    width[j] = w;
            }
        }
        for (size_t k = 0; k < l->nnote && !e; k++)
            e = lxw->worksheet_write_string(ws, r++, 0, l->note[k], NULL);
        r++; /* a blank row between blocks */
    }
    for (size_t j = 0; j < ncol && !e; j++)
        e = lxw->worksheet_set_column(ws, (lxw_col_t)j, (lxw_col_t)j,
                                 width[j] > 40 ? 40 : width[j] < 6 ? 6 : width[j], NULL);
    if (!e && nblocks == 1)
        lxw->worksheet_freeze_panes(ws, (lxw_row_t)(blocks[0].nhead + (*blocks[0].title ? 1 : 0)), 1);
    free(width);
    return e;
}

static lxw_error about_sheet(lxw_workbook *wb, const char *name, const char *const *about,
                             lxw_format *head)
{
    lxw_worksheet *ws = lxw->workbook_add_worksheet(wb, name);
    if (!ws)
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
    lxw_error e = lxw->worksheet_write_string(ws, 0, 0, "item", head);
    if (!e)
        e = lxw->worksheet_write_string(ws, 0, 1, "value", head);
    double w0 = 8, w1 = 10;
    for (size_t k = 0; !e && about && about[k] && about[k + 1]; k += 2) {
        lxw_row_t r = (lxw_row_t)(k / 2 + 1);
        e = lxw->worksheet_write_string(ws, r, 0, about[k], NULL);
        if (!e && about[k + 1][0])
            e = lxw->worksheet_write_string(ws, r, 1, about[k + 1], NULL);
        double a = (double)ss_display_width(about[k]) + 2, b = (double)ss_display_width(about[k + 1]) + 2;
        w0 = a > w0 ? a : w0;
        w1 = b > w1 ? b : w1;
    }
    if (!e)
        e = lxw->worksheet_set_column(ws, 0, 0, w0, head);
    if (!e)
        e = lxw->worksheet_set_column(ws, 1, 1, w1 > 100 ? 100 : w1, NULL);
    if (!e)
        lxw->worksheet_freeze_panes(ws, 1, 0);
    return e;
}

/* "AB12" -> row 11, col 27 (0-based); -1 when not a cell reference. */
static int parse_ref(const char *p, unsigned *row, unsigned *col)
{
    unsigned c = 0, r = 0;
    const char *q = p;
    while (*q >= 'A' && *q <= 'Z')
        c = c * 26 + (unsigned)(*q++ - 'A' + 1);
    if (q == p || *q < '0' || *q > '9')
        return -1;
    while (*q >= '0' && *q <= '9')
        r = r * 10 + (unsigned)(*q++ - '0');
    if (*q != '"' || r == 0)
        return -1;
    *row = r - 1;
    *col = c - 1;
    return 0;
}

/* Room for more bytes in a growing buffer; -1 when out of memory. */
static int ensure(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t c = 2 * *cap > need ? 2 * *cap : need;
    char *b = realloc(*buf, c);
    if (!b)
        return -1;
    *buf = b;
    *cap = c;
    return 0;
}

/* A sheet's XML with the <v> of every number cell (no t= attribute) that
 * nums knows replaced by its 17 digits; a malloc'd string of *out_len
 * bytes, or NULL when out of memory. */
static char *fix_sheet(const char *xml, size_t len, const sheet_nums *nums, size_t *out_len)
{
    size_t cap = len + 64, n = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    const char *p = xml, *end = xml + len;
    for (;;) {
        const char *c = memmem(p, (size_t)(end - p), "<c r=\"", 6);
        const char *gt = c ? memchr(c, '>', (size_t)(end - c)) : NULL;
        if (!gt)
            break;
        const char *v = memmem(gt, (size_t)(end - gt), "<v>", 3);
        const char *ve = v ? memmem(v, (size_t)(end - v), "</v>", 4) : NULL;
        const char *ce = memmem(gt, (size_t)(end - gt), "</c>", 4);
        unsigned row, col;
        const num_cell *x = NULL;
        if (gt[-1] != '/' && v && ve && ce && v < ce && ve < ce &&
            !memmem(c, (size_t)(gt - c), " t=\"", 4) && parse_ref(c + 6, &row, &col) == 0)
            x = nums_find(nums, row, col);
        const char *upto = x ? v + 3 : gt + 1;
        if (ensure(&out, &cap, n + (size_t)(upto - p) + 40) != 0) {
            free(out);
            return NULL;
        }
        memcpy(out + n, p, (size_t)(upto - p));
        n += (size_t)(upto - p);
        p = upto;
        if (x) {
            char buf[40];
            ss_number_format(x->x, buf, sizeof buf);
            memcpy(out + n, buf, strlen(buf));
            n += strlen(buf);
            p = ve;
        }
    }
    if (ensure(&out, &cap, n + (size_t)(end - p) + 1) != 0) {
        free(out);
        return NULL;
    }
    memcpy(out + n, p, (size_t)(end - p));
    n += (size_t)(end - p);
    *out_len = n;
    return out;
}

/* Copy the zip src to dst, the sheets' number cells fixed. */
static int rewrite_book(const char *src, const char *dst, sheet_nums *nums, size_t nsheets)
{
    unzFile uz = unzOpen(src);
    if (!uz)
        return -1;
    zipFile zf = zipOpen(dst, APPEND_STATUS_CREATE);
    if (!zf) {
        unzClose(uz);
        return -1;
    }
    int rc = unzGoToFirstFile(uz) == UNZ_OK ? 0 : -1;
    while (rc == 0) {
        char name[512];
        unz_file_info info;
        if (unzGetCurrentFileInfo(uz, &info, name, sizeof name, NULL, 0, NULL, 0) != UNZ_OK ||
            unzOpenCurrentFile(uz) != UNZ_OK) {
            rc = -1;
            break;
        }
        size_t len = info.uncompressed_size;
        char *data = malloc(len + 1);
        int got = data ? unzReadCurrentFile(uz, data, (unsigned)len) : -1;
        unzCloseCurrentFile(uz);
        if (!data || got < 0 || (size_t)got != len) {
            free(data);
            rc = -1;
            break;
        }
        char *write = data;
        size_t wlen = len;
        unsigned k;
        if (sscanf(name, "xl/worksheets/sheet%u.xml", &k) == 1 && k >= 1 && k <= nsheets &&
            nums[k - 1].n > 0) {
            write = fix_sheet(data, len, &nums[k - 1], &wlen);
            if (!write) {
                free(data);
                rc = -1;
                break;
            }
        }
        zip_fileinfo zi;
        memset(&zi, 0, sizeof zi);
        zi.dosDate = info.dosDate;
        if (zipOpenNewFileInZip(zf, name, &zi, NULL, 0, NULL, 0, NULL, Z_DEFLATED,
                                Z_DEFAULT_COMPRESSION) != ZIP_OK ||
            zipWriteInFileInZip(zf, write, (unsigned)wlen) != ZIP_OK ||
            zipCloseFileInZip(zf) != ZIP_OK)
            rc = -1;
        if (write != data)
            free(write);
        free(data);
        if (rc == 0) {
            int nx = unzGoToNextFile(uz);
            if (nx == UNZ_END_OF_LIST_OF_FILE)
                break;
            if (nx != UNZ_OK)
                rc = -1;
        }
    }
    if (zipClose(zf, NULL) != ZIP_OK)
        rc = -1;
    unzClose(uz);
    return rc;
}

static int copy_file(const char *path, FILE *fp)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return -1;
    char buf[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, fp) != n) {
            rc = -1;
            break;
        }
    if (ferror(in))
        rc = -1;
    fclose(in);
    return rc;
}

static int temp_path(char *buf, size_t size)
{
    const char *dir = getenv("TMPDIR");
    snprintf(buf, size, "%s/survstat-xlsx-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(buf);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

int ss_xlsx_write(FILE *fp, const ss_sheet *s, size_t n, const ss_write_opts *o)
{
    char book[4096], fixed[4096];
    if (!(lxw = ss_dl_xlsxwriter_load(NULL))) {
        errno = ELIBACC; /* the commands load it first, for their message */
        return -1;
    }
    if (n > 200) {
        errno = EINVAL;
        return -1;
    }
    if (temp_path(book, sizeof book) != 0)
        return -1;
    if (temp_path(fixed, sizeof fixed) != 0) {
        unlink(book);
        return -1;
    }
    sheet_nums *nums = calloc(n + 1, sizeof *nums);
    char(*names)[32] = calloc(n + 1, sizeof *names);
    lxw_workbook_options wo = {0};
    lxw_workbook *wb = nums && names ? lxw->workbook_new_opt(book, &wo) : NULL;
    lxw_error e = wb ? LXW_NO_ERROR : LXW_ERROR_MEMORY_MALLOC_FAILED;
    lxw_format *head = NULL, *pct = NULL, *pct_se = NULL;
    if (!e) {
        head = lxw->workbook_add_format(wb);
        pct = lxw->workbook_add_format(wb);
        pct_se = lxw->workbook_add_format(wb);
        lxw->format_set_bold(head);
        lxw->format_set_bottom(head, LXW_BORDER_THIN);
        lxw->format_set_num_format(pct, "0.0%");
        lxw->format_set_num_format(pct_se, "0.00%");
        char title[256], author[] = "survstat";
        snprintf(title, sizeof title, "%s", o && o->title ? o->title : "survstat results");
        lxw_doc_properties props = {.title = title, .author = author};
        lxw->workbook_set_properties(wb, &props);
    }
    lay_formats lf = {0};
    for (size_t k = 0; k < n && !e; k++)
        if (!s[k].grid && !lf.title)
            lf = lay_formats_add(wb);
    for (size_t k = 0; k < n && !e; k++) {
        sheet_name(names[k], sizeof names[k], s[k].name, names, k);
        if (s[k].grid)
            e = grid_sheet(wb, names[k], s[k].grid, o, &nums[k], head, pct, pct_se);
        else
            e = layout_sheet(wb, names[k], s[k].blocks, s[k].nblocks, &nums[k], &lf);
    }
    if (!e && o && o->about) {
        sheet_name(names[n], sizeof names[n], "about", names, n);
        e = about_sheet(wb, names[n], o->about, head);
    }
    if (wb) {
        lxw_error ce = lxw->workbook_close(wb);
        e = e ? e : ce;
    }
    int rc = e ? -1 : 0;
    if (rc == 0)
        rc = rewrite_book(book, fixed, nums, n);
    if (rc == 0)
        rc = copy_file(fixed, fp);
    int saved = errno;
    unlink(book);
    unlink(fixed);
    for (size_t k = 0; nums && k < n; k++)
        free(nums[k].v);
    free(nums);
    free(names);
    if (rc != 0)
        errno = e == LXW_ERROR_MEMORY_MALLOC_FAILED ? ENOMEM : saved ? saved : EIO;
    return rc != 0 || ferror(fp) ? -1 : 0;
}
