/* AAPOR outcome rates (Standard Definitions, 10th edition, 2023).  See
 * ss_aapor.h. */
#include "ss_aapor.h"

#include <math.h>
#include <string.h>

const char *const ss_aapor_names[SS_AAPOR_NRATES] = {
    "RR1",  "RR2",  "RR3",  "RR4", "RR5",  "RR6",  "COOP1", "COOP2", "COOP3",
    "COOP4", "REF1", "REF2", "REF3", "CON1", "CON2", "CON3",  "e",
};

int ss_aapor_classify(const char *s)
{
    /* d.d followed by digits only */
    size_t n = strlen(s);
    if (n < 3 || s[0] < '1' || s[0] > '4' || s[1] != '.' || s[2] < '0' || s[2] > '9')
        return -1;
    for (size_t i = 3; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return -1;
    int a = s[0] - '0', b = s[2] - '0';
    switch (a) {
    case 1:
        return b == 1 ? SS_AAPOR_I : b == 2 ? SS_AAPOR_P : -1;
    case 2:
        return b == 1 ? SS_AAPOR_R : b == 2 ? SS_AAPOR_NC : b == 3 ? SS_AAPOR_O : -1;
    case 3:
        return b == 1 ? SS_AAPOR_UH : b >= 2 ? SS_AAPOR_UO : -1;
    default:
        return b >= 1 ? SS_AAPOR_NE : -1;
    }
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : NAN;
}

void ss_aapor_rates(const double c[SS_AAPOR_NCLASS], double e, double r[SS_AAPOR_NRATES])
{
    const double I = c[SS_AAPOR_I], P = c[SS_AAPOR_P], R = c[SS_AAPOR_R];
    const double NC = c[SS_AAPOR_NC], O = c[SS_AAPOR_O], U = c[SS_AAPOR_UH] + c[SS_AAPOR_UO];
    const double NE = c[SS_AAPOR_NE];
    if (e < 0)
        e = ratio(I + P + R + NC + O, I + P + R + NC + O + NE);
    const double eu = isnan(e) ? NAN : e * U;
    const double all = (I + P) + (R + NC + O) + U, alle = (I + P) + (R + NC + O) + eu;
    const double known = (I + P) + (R + NC + O);
    r[0] = ratio(I, all);
    r[1] = ratio(I + P, all);
    r[2] = ratio(I, alle);
    r[3] = ratio(I + P, alle);
    r[4] = ratio(I, known);
    r[5] = ratio(I + P, known);
    r[6] = ratio(I, (I + P) + R + O);
    r[7] = ratio(I + P, (I + P) + R + O);
    r[8] = ratio(I, (I + P) + R);
    r[9] = ratio(I + P, (I + P) + R);
    r[10] = ratio(R, all);
    r[11] = ratio(R, alle);
    r[12] = ratio(R, known);
    r[13] = ratio((I + P) + R + O, all);
    r[14] = ratio((I + P) + R + O, alle);
    r[15] = ratio((I + P) + R + O, known);
    r[16] = e;
}
