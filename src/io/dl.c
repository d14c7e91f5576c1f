/* ss_dl: the libraries survstat loads on demand (ss_dl.h). */
#include "ss_dl.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The sonames of the build (the Makefile passes them when it finds them). */
#ifndef SS_XLSXWRITER_SONAME
#define SS_XLSXWRITER_SONAME "libxlsxwriter.so.4"
#endif
#ifndef SS_READSTAT_SONAME
#define SS_READSTAT_SONAME "libreadstat.so.1"
#endif

/* dlsym gives a function's address as a data pointer (POSIX), copied into
 * the function pointer's bytes. */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "function pointers as wide as void *");

/* One function of a library: its name and where its pointer goes. */
typedef struct dl_func {
    const char *name;
    size_t offset;
} dl_func;

/* A library: what to open, what it is for, the Debian package that has
 * it, its functions; the state of the first attempt. */
typedef struct dl_lib {
    const char *name, *soname, *env, *purpose, *package;
    const dl_func *func;
    size_t nfunc;
    void *table;
    int state;         /* 0 not tried, 1 loaded, -1 failed */
    char message[600]; /* why it failed */
} dl_lib;

#define XLSX_FUNC(f) {#f, offsetof(ss_dl_xlsxwriter, f)},
#define READSTAT_FUNC(f) {#f, offsetof(ss_dl_readstat, f)},
static const dl_func xlsx_funcs[] = {SS_DL_XLSXWRITER_FUNCS(XLSX_FUNC)};
static const dl_func readstat_funcs[] = {SS_DL_READSTAT_FUNCS(READSTAT_FUNC)};

static ss_dl_xlsxwriter xlsx_table;
static ss_dl_readstat readstat_table;

static dl_lib xlsx_lib = {"libxlsxwriter", SS_XLSXWRITER_SONAME, "SURVSTAT_LIBXLSXWRITER",
                          "writes .xlsx files", "libxlsxwriter4", xlsx_funcs,
                          sizeof xlsx_funcs / sizeof xlsx_funcs[0], &xlsx_table, 0, ""};
static dl_lib readstat_lib = {"libreadstat", SS_READSTAT_SONAME, "SURVSTAT_LIBREADSTAT",
                              "reads .sav, .zsav, .por, .dta, .sas7bdat and .xpt files",
                              "libreadstat1", readstat_funcs,
                              sizeof readstat_funcs / sizeof readstat_funcs[0], &readstat_table,
                              0, ""};

/* Open lib once and fill its table; NULL with err filled when it cannot. */
static const void *dl_load(dl_lib *lib, ss_error *err)
{
    if (lib->state == 0) {
        const char *file = getenv(lib->env);
        if (!file || !*file)
            file = lib->soname;
        void *h = dlopen(file, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            const char *why = dlerror();
            snprintf(lib->message, sizeof lib->message, "cannot load %s, which %s (%s)",
                     lib->name, lib->purpose, why ? why : file);
        }
        for (size_t k = 0; h && k < lib->nfunc; k++) {
            void *f = dlsym(h, lib->func[k].name);
            if (!f) {
                snprintf(lib->message, sizeof lib->message,
                         "%s (%s) has no function '%s': a version survstat was not built for",
                         lib->name, file, lib->func[k].name);
                dlclose(h);
                h = NULL;
                break;
            }
            memcpy((char *)lib->table + lib->func[k].offset, &f, sizeof f);
        }
        lib->state = h ? 1 : -1;
    }
    if (lib->state < 0) {
        ss_error_set(err, SS_EDATA, NULL, 0, "%s: install the Debian package %s", lib->message,
                     lib->package);
        return NULL;
    }
    return lib->table;
}

const ss_dl_xlsxwriter *ss_dl_xlsxwriter_load(ss_error *err)
{
    return dl_load(&xlsx_lib, err);
}

const ss_dl_readstat *ss_dl_readstat_load(ss_error *err)
{
    return dl_load(&readstat_lib, err);
}
