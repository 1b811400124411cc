/*
 * concurrency-auto.c: hill climbing on measured throughput.
 *
 * Throughput is estimated over windows of completions of requests that
 * started with the full limit in flight, after the limit last changed:
 * others ran under another limit and would credit or blame this one for
 * what that one did.
 *
 *   grow:   double the limit while a window is noticeably (10%) faster than
 *           the best so far; the first that is not ends the doubling.
 *   refine: bisect the gap between the best limit and the one that did not
 *           pay, keeping a probe only if it is faster (3%).
 *   hold:   stay at the best limit, following its throughput as the host
 *           changes (more domains make creation slower), and now and then
 *           probe an eighth up (kept if 5% faster) or down (kept if 3%
 *           faster: the best limit may shrink as the host gets busier).
 *
 * Fewer requests in flight at equal throughput means lower per-request
 * latency (Little's law), so ties go to the smaller limit while growing.
 */
#include "concurrency-auto.h"

#define INITIAL_LIMIT   4
#define MIN_WINDOW      4      /* completions per measurement, at least */
#define GROW_GAIN       0.10
#define REFINE_GAIN     0.03
#define PROBE_UP_GAIN   0.05
#define HOLD_WINDOWS    5      /* windows at the best limit between probes */

typedef enum { PHASE_GROW, PHASE_REFINE, PHASE_HOLD, PHASE_PROBE } Phase;

struct VstatsConcurrencyAuto {
    guint max_limit;
    guint limit;
    Phase phase;
    guint completed;

    gint64 changed_us;        /* when the limit was last set */
    guint window_n;           /* completions measured under the limit */
    gint64 window_latency_us; /* their summed latency */
    guint64 window_inflight;  /* their summed in-flight counts at start */

    guint best_limit;
    double best_tput;
    guint step;               /* refine: distance of the next probe */
    guint hold_windows;
    gboolean probe_down;      /* hold: which way the next probe goes */

    GArray *trajectory;
};

static void
set_limit(VstatsConcurrencyAuto *ctl, guint limit, gint64 now_us, double tput)
{
    limit = CLAMP(limit, 1, ctl->max_limit);
    if (limit == ctl->limit)
        return;
    ctl->limit = limit;
    ctl->changed_us = now_us;
    VstatsConcurrencyStep step = { now_us, ctl->completed, limit, tput };
    g_array_append_val(ctl->trajectory, step);
}

VstatsConcurrencyAuto *
vstats_concurrency_auto_new(guint max_limit)
{
    VstatsConcurrencyAuto *ctl = g_new0(VstatsConcurrencyAuto, 1);
    VstatsConcurrencyStep first;

    ctl->max_limit = MAX(max_limit, 1);
    ctl->limit = MIN(INITIAL_LIMIT, ctl->max_limit);
    ctl->phase = ctl->limit < ctl->max_limit ? PHASE_GROW : PHASE_HOLD;
    ctl->best_limit = ctl->limit;
    ctl->changed_us = G_MININT64;
    ctl->trajectory = g_array_new(FALSE, FALSE, sizeof(VstatsConcurrencyStep));
    first = (VstatsConcurrencyStep) { 0, 0, ctl->limit, 0 };
    g_array_append_val(ctl->trajectory, first);
    return ctl;
}

void
vstats_concurrency_auto_free(VstatsConcurrencyAuto *ctl)
{
    if (!ctl)
        return;
    g_array_unref(ctl->trajectory);
    g_free(ctl);
}

guint
vstats_concurrency_auto_get_limit(const VstatsConcurrencyAuto *ctl)
{
    return ctl->limit;
}

const GArray *
vstats_concurrency_auto_get_trajectory(const VstatsConcurrencyAuto *ctl)
{
    return ctl->trajectory;
}

static guint
eighth(guint limit)
{
    return MAX(limit / 8, 1);
}

static void
enter_hold(VstatsConcurrencyAuto *ctl, gint64 now_us, double tput)
{
    ctl->phase = PHASE_HOLD;
    ctl->hold_windows = 0;
    set_limit(ctl, ctl->best_limit, now_us, tput);
}

static void
decide(VstatsConcurrencyAuto *ctl, double tput, gint64 now_us)
{
    switch (ctl->phase) {
    case PHASE_GROW:
        if (ctl->best_tput == 0 || tput > ctl->best_tput * (1 + GROW_GAIN)) {
            ctl->best_limit = ctl->limit;
            ctl->best_tput = tput;
            if (ctl->limit >= ctl->max_limit)
                enter_hold(ctl, now_us, tput);
            else
                set_limit(ctl, ctl->limit * 2, now_us, tput);
            return;
        }
        ctl->step = (ctl->limit - ctl->best_limit) / 2;
        if (ctl->step == 0) {
            enter_hold(ctl, now_us, tput);
            return;
        }
        ctl->phase = PHASE_REFINE;
        set_limit(ctl, ctl->best_limit + ctl->step, now_us, tput);
        return;

    case PHASE_REFINE:
        if (tput > ctl->best_tput * (1 + REFINE_GAIN)) {
            ctl->best_limit = ctl->limit;
            ctl->best_tput = tput;
        }
        ctl->step /= 2;
        /* Steps below an eighth of the limit are lost in the noise. */
        if (ctl->step == 0 || ctl->step < ctl->best_limit / 8) {
            enter_hold(ctl, now_us, tput);
            return;
        }
        set_limit(ctl, ctl->best_limit + ctl->step, now_us, tput);
        return;

    case PHASE_HOLD:
        /* Follow the host: throughput at the same limit drifts. */
        ctl->best_tput = (ctl->best_tput + tput) / 2;
        if (++ctl->hold_windows < HOLD_WINDOWS)
            return;
        ctl->hold_windows = 0;
        ctl->probe_down = !ctl->probe_down;
        if (ctl->probe_down && ctl->best_limit <= 1)
            ctl->probe_down = FALSE;
        if (!ctl->probe_down && ctl->best_limit >= ctl->max_limit) {
            if (ctl->best_limit <= 1)
                return;   /* nowhere to go */
            ctl->probe_down = TRUE;
        }
        ctl->phase = PHASE_PROBE;
        if (ctl->probe_down)
            set_limit(ctl, ctl->best_limit - eighth(ctl->best_limit), now_us, tput);
        else
            set_limit(ctl, ctl->best_limit + eighth(ctl->best_limit), now_us, tput);
        return;

    case PHASE_PROBE:
        if (tput > ctl->best_tput * (1 + (ctl->probe_down ? REFINE_GAIN : PROBE_UP_GAIN))) {
            ctl->best_limit = ctl->limit;
            ctl->best_tput = tput;
        }
        enter_hold(ctl, now_us, tput);
        return;
    }
}

guint
vstats_concurrency_auto_observe(VstatsConcurrencyAuto *ctl,
                                gint64 start_us, gint64 end_us,
                                guint inflight_at_start)
{
    ctl->completed++;
    /* Measure the limit, not the way there: skip requests started before
     * the last change, and those started while the pipeline was filling
     * (they ran with fewer in flight). */
    if (start_us < ctl->changed_us || inflight_at_start < ctl->limit)
        return ctl->limit;
    ctl->window_n++;
    ctl->window_latency_us += MAX(end_us - start_us, 1);
    ctl->window_inflight += MAX(inflight_at_start, 1);
    if (ctl->window_n < MAX(MIN_WINDOW, ctl->limit / 2))
        return ctl->limit;
    /* Little's law: throughput = requests in flight / latency.  Unlike
     * counting completions per second, this needs no full round of
     * completions, so each step costs about one latency. */
    decide(ctl, (double) ctl->window_inflight * G_USEC_PER_SEC /
                ctl->window_latency_us, end_us);
    ctl->window_n = 0;
    ctl->window_latency_us = 0;
    ctl->window_inflight = 0;
    return ctl->limit;
}
