/* ss_dl: libxlsxwriter and libreadstat, loaded with dlopen the first time
 * they are needed (an .xlsx written; an SPSS, Stata or SAS file read), so
 * that a run writing csv or text does not map them (nor libcrypto, which
 * libxlsxwriter pulls in): see docs/design.md, "Start-up".
 *
 * Each library is a struct of function pointers, one per function survstat
 * calls, named and typed as in the library's own header (xlsxwriter.h,
 * readstat.h): code calls lxw->worksheet_write_string(...) where it would
 * call worksheet_write_string(...).  The load function opens the library
 * once (later calls return the same struct) and resolves every pointer, or
 * fills err (SS_EDATA) with one line naming the library and the Debian
 * package to install, and returns NULL.  Not thread-safe: call it from the
 * main thread before starting others.
 *
 * SURVSTAT_LIBXLSXWRITER and SURVSTAT_LIBREADSTAT name the file to open
 * instead of the built-in soname (for tests and diagnosis). */
#ifndef SS_DL_H
#define SS_DL_H

#include <readstat.h>
#include <xlsxwriter.h>

#include "ss_error.h"

/* The functions used of each library: F(name) per function. */
#define SS_DL_XLSXWRITER_FUNCS(F)                                                          \
    F(workbook_new_opt) F(workbook_add_format) F(workbook_add_worksheet) F(workbook_close) \
    F(workbook_set_properties) F(worksheet_write_string) F(worksheet_write_number)         \
    F(worksheet_write_blank) F(worksheet_merge_range) F(worksheet_set_column)              \
    F(worksheet_freeze_panes) F(worksheet_autofilter) F(format_set_bold)                   \
    F(format_set_font_size) F(format_set_align) F(format_set_text_wrap)                    \
    F(format_set_border) F(format_set_bg_color) F(format_set_top) F(format_set_bottom)     \
    F(format_set_num_format)

#define SS_DL_READSTAT_FUNCS(F)                                                              \
    F(readstat_parser_init) F(readstat_parser_free) F(readstat_error_message)                \
    F(readstat_set_metadata_handler) F(readstat_set_variable_handler)                        \
    F(readstat_set_value_handler) F(readstat_set_value_label_handler)                        \
    F(readstat_set_error_handler) F(readstat_set_file_character_encoding)                    \
    F(readstat_set_open_handler) F(readstat_set_close_handler) F(readstat_set_seek_handler)  \
    F(readstat_set_read_handler) F(readstat_set_update_handler) F(readstat_set_io_ctx)       \
    F(readstat_parse_sav) F(readstat_parse_por) F(readstat_parse_dta)                        \
    F(readstat_parse_sas7bdat) F(readstat_parse_xport) F(readstat_get_row_count)             \
    F(readstat_variable_get_name) F(readstat_variable_get_label)                             \
    F(readstat_variable_get_missing_ranges_count) F(readstat_variable_get_missing_range_lo)  \
    F(readstat_variable_get_missing_range_hi) F(readstat_value_type_class)                   \
    F(readstat_value_is_system_missing) F(readstat_value_is_tagged_missing)                  \
    F(readstat_value_is_defined_missing) F(readstat_string_value) F(readstat_double_value)      \
    F(readstat_set_row_offset) F(readstat_set_row_limit)

#define SS_DL_POINTER(name) __typeof__(name) *name;

typedef struct ss_dl_xlsxwriter {
    SS_DL_XLSXWRITER_FUNCS(SS_DL_POINTER)
} ss_dl_xlsxwriter;

typedef struct ss_dl_readstat {
    SS_DL_READSTAT_FUNCS(SS_DL_POINTER)
} ss_dl_readstat;

const ss_dl_xlsxwriter *ss_dl_xlsxwriter_load(ss_error *err);
const ss_dl_readstat *ss_dl_readstat_load(ss_error *err);

#endif
