/* ss_aapor: the AAPOR Standard Definitions outcome rates (response,
 * cooperation, refusal and contact rates) from final dispositions.
 *
 * Codes: 1.1 complete interview (I), 1.2 partial (P), 2.1x refusal and
 * break-off (R), 2.2x non-contact (NC), 2.3x other (O), 3.1x unknown if
 * household (UH), other 3.x unknown other (UO), 4.x not eligible (NE).
 * e, the share of the unknown-eligibility cases that are eligible,
 * defaults to (I+P+R+NC+O) / (I+P+R+NC+O+NE). */
#ifndef SS_AAPOR_H
#define SS_AAPOR_H

#include <stddef.h>

typedef enum { SS_AAPOR_I, SS_AAPOR_P, SS_AAPOR_R, SS_AAPOR_NC, SS_AAPOR_O, SS_AAPOR_UH,
               SS_AAPOR_UO, SS_AAPOR_NE, SS_AAPOR_NCLASS } ss_aapor_class;

/* The class of a disposition code ("1.1", "2.112", "4.3"), or -1. */
int ss_aapor_classify(const char *code);

#define SS_AAPOR_NRATES 17

/* The names of the rates, in output order: RR1..RR6, COOP1..COOP4,
 * REF1..REF3, CON1..CON3, e. */
extern const char *const ss_aapor_names[SS_AAPOR_NRATES];

/* The rates from the (weighted) counts of each class; e < 0: the default.
 * A rate whose denominator is 0 is NaN. */
void ss_aapor_rates(const double count[SS_AAPOR_NCLASS], double e,
                    double rate[SS_AAPOR_NRATES]);

#endif
