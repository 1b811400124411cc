/*
 * concurrency-auto.c: start on the plateau, then climb or descend on
 * measured throughput, one window of completions per decision.
 *
 * Creating a VM is mostly CPU work on the host, so throughput rises with
 * the limit until the CPUs are busy and then stays flat while per-request
 * latency grows.  Time spent below the plateau is what costs makespan, so
 * the limit starts at twice the CPUs (at least 4), already on it on the
 * hosts measured, instead of climbing to it from a small limit.
 *
 *   base:    measure the starting limit.
 *   up:      try twice the limit; keep doubling while each window is
 *            clearly (10%) faster; keep it but stop if it gains 3-10%.
 *            Flat: back to the smaller limit (same throughput, less
 *            latency).  Clearly (5%) slower: back to the best limit if
 *            a climb reached it (what lies below it was measured worse),
 *            else the best limit may be below the start, so descend.
 *   down:    half the limit, then a quarter at a time, kept while not
 *            slower than the best seen (2% of noise allowed); the first
 *            step that loses returns to the last good limit.
 *   hold:    stay, following the throughput as the host changes, and
 *            every few windows try a quarter more (judged as "up"; a
 *            loss there returns to the held limit).
 *
 * Lowering the limit cancels nothing: the caller starts no new request
 * until fewer than the limit are in flight, so the CPUs stay busy while
 * the pipeline shrinks.  A window only holds requests started after the
 * last change with the full limit in flight, at least 10 of them, so no
 * single noisy completion moves the limit; a try already far behind
 * (10%) after half a window is given up early, as every completion there
 * costs.
 */
#include "concurrency-auto.h"

#define MIN_INITIAL     4
#define CPU_FACTOR      2
#define MIN_WINDOW      10      /* completions per measurement, at least */
#define GROW_GAIN       0.10   /* doubling must gain this to continue */
#define KEEP_GAIN       0.03   /* and this to be kept at all */
#define LOSS            0.05   /* doubling losing this means: look below */
#define EARLY_LOSS      0.10   /* a try this much slower stops at half a window */
#define DOWN_TIE        0.02   /* a smaller limit this close counts as equal */
#define HOLD_WINDOWS    6      /* windows held between two tries upward */

typedef enum { PHASE_BASE, PHASE_UP, PHASE_NUDGE, PHASE_DOWN, PHASE_HOLD } Phase;

struct VstatsConcurrencyAuto {
    guint max_limit;
    guint limit;
    Phase phase;
    guint completed;

    gint64 changed_us;        /* when the limit was last set */
    guint window_n;           /* completions measured under the limit */
    gint64 window_latency_us; /* their summed latency */
    guint64 window_inflight;  /* their summed in-flight counts at start */

    guint best_limit;         /* where to return when a try does not pay */
    double best_tput;         /* its throughput, kept current */
    guint hold_windows;
    gboolean climbed;         /* best_limit beat the smaller limit before it */
    guint warmup;             /* completions to skip before the window */

    GArray *trajectory;
};

guint
vstats_concurrency_auto_initial_limit(guint n_cpus)
{
    return MAX(MIN_INITIAL, CPU_FACTOR * MAX(n_cpus, 1));
}

static guint
warmup_size(guint limit)
{
    return MAX(limit / 2, 1);
}

static void
set_limit(VstatsConcurrencyAuto *ctl, guint limit, gint64 now_us, double tput)
{
    limit = CLAMP(limit, 1, ctl->max_limit);
    if (limit == ctl->limit)
        return;
    ctl->limit = limit;
    ctl->changed_us = now_us;
    ctl->warmup = warmup_size(limit);
    VstatsConcurrencyStep step = { now_us, ctl->completed, limit, tput };
    g_array_append_val(ctl->trajectory, step);
}

VstatsConcurrencyAuto *
vstats_concurrency_auto_new_for_cpus(guint max_limit, guint n_cpus)
{
    VstatsConcurrencyAuto *ctl = g_new0(VstatsConcurrencyAuto, 1);
    VstatsConcurrencyStep first;

    ctl->max_limit = MAX(max_limit, 1);
    ctl->limit = MIN(vstats_concurrency_auto_initial_limit(n_cpus), ctl->max_limit);
    ctl->phase = PHASE_BASE;
    ctl->best_limit = ctl->limit;
    ctl->changed_us = G_MININT64;
    ctl->warmup = warmup_size(ctl->limit);
    ctl->trajectory = g_array_new(FALSE, FALSE, sizeof(VstatsConcurrencyStep));
    first = (VstatsConcurrencyStep) { 0, 0, ctl->limit, 0 };
    g_array_append_val(ctl->trajectory, first);
    return ctl;
}

VstatsConcurrencyAuto *
vstats_concurrency_auto_new(guint max_limit)
{
    return vstats_concurrency_auto_new_for_cpus(max_limit, g_get_num_processors());
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

static void
enter_hold(VstatsConcurrencyAuto *ctl, gint64 now_us, double tput)
{
    ctl->phase = PHASE_HOLD;
    ctl->hold_windows = 0;
    set_limit(ctl, ctl->best_limit, now_us, tput);
}

/* Try twice the best limit (@gentle: a quarter more), unless it is
 * already the most allowed. */
static void
try_up(VstatsConcurrencyAuto *ctl, gboolean gentle, gint64 now_us, double tput)
{
    if (ctl->best_limit >= ctl->max_limit) {
        enter_hold(ctl, now_us, tput);
        return;
    }
    ctl->phase = gentle ? PHASE_NUDGE : PHASE_UP;
    set_limit(ctl, ctl->best_limit + (gentle ? MAX(ctl->best_limit / 4, 1) : ctl->best_limit),
              now_us, tput);
}

/* One step below the best limit: half (@big), else a quarter. */
static void
try_down(VstatsConcurrencyAuto *ctl, gboolean big, gint64 now_us, double tput)
{
    if (ctl->best_limit <= 1) {
        enter_hold(ctl, now_us, tput);
        return;
    }
    ctl->phase = PHASE_DOWN;
    set_limit(ctl, ctl->best_limit - MAX(ctl->best_limit / (big ? 2 : 4), 1), now_us, tput);
}

static void
decide(VstatsConcurrencyAuto *ctl, double tput, gint64 now_us)
{
    switch (ctl->phase) {
    case PHASE_BASE:
        ctl->best_tput = tput;
        try_up(ctl, FALSE, now_us, tput);
        return;

    case PHASE_UP:
    case PHASE_NUDGE:
        if (tput > ctl->best_tput * (1 + GROW_GAIN)) {
            ctl->best_limit = ctl->limit;
            ctl->best_tput = tput;
            ctl->climbed = TRUE;
            try_up(ctl, FALSE, now_us, tput);
        } else if (tput > ctl->best_tput * (1 + KEEP_GAIN)) {
            /* A small gain: the knee is near, stop here. */
            ctl->best_limit = ctl->limit;
            enter_hold(ctl, now_us, tput);
        } else if (tput < ctl->best_tput * (1 - LOSS)) {
            /* Descending below a limit that beat the one under it, or
             * from a held one, would only drain the pipeline for a limit
             * already known to be no better: measured on a flat optimum,
             * that cost a boot storm 15%. */
            if (ctl->climbed || ctl->phase == PHASE_NUDGE)
                enter_hold(ctl, now_us, tput);
            else
                try_down(ctl, TRUE, now_us, tput);
        } else {
            enter_hold(ctl, now_us, tput);
        }
        return;

    case PHASE_DOWN:
        if (tput < ctl->best_tput * (1 - DOWN_TIE)) {
            enter_hold(ctl, now_us, tput);
            return;
        }
        /* Keep the best seen: comparing with the last step would let a
         * run of small losses walk the limit down. */
        ctl->best_limit = ctl->limit;
        ctl->best_tput = MAX(ctl->best_tput, tput);
        try_down(ctl, FALSE, now_us, tput);
        return;

    case PHASE_HOLD:
        /* The host drifts (more domains make creation slower): compare
         * the next try with the present, not with the past. */
        ctl->best_tput = tput;
        /* Only a quarter up: past the knee a doubling costs a long
         * latency before its window even starts. */
        if (++ctl->hold_windows >= HOLD_WINDOWS)
            try_up(ctl, TRUE, now_us, tput);
        return;
    }
}

static guint
window_size(guint limit)
{
    return MAX(MIN_WINDOW, limit / 2);
}

/* A try that is already far behind after half a window need not finish
 * it: every completion there costs. */
static gboolean
lost_early(const VstatsConcurrencyAuto *ctl, double tput)
{
    return ctl->phase != PHASE_BASE && ctl->phase != PHASE_HOLD &&
           ctl->window_n >= window_size(ctl->limit) / 2 &&
           tput < ctl->best_tput * (1 - EARLY_LOSS);
}

guint
vstats_concurrency_auto_observe(VstatsConcurrencyAuto *ctl,
                                gint64 start_us, gint64 end_us,
                                guint inflight_at_start)
{
    double tput;

    ctl->completed++;
    /* Measure the limit, not the way there: skip requests started before
     * the last change, and those started while the pipeline was filling
     * (they ran with fewer in flight). */
    if (start_us < ctl->changed_us || inflight_at_start < ctl->limit)
        return ctl->limit;
    /* The first to end after a change are the short ones; long ones
     * started with them spill into the window and balance those that
     * spill out of its end. */
    if (ctl->warmup > 0) {
        ctl->warmup--;
        return ctl->limit;
    }
    ctl->window_n++;
    ctl->window_latency_us += MAX(end_us - start_us, 1);
    ctl->window_inflight += MAX(inflight_at_start, 1);
    /* Little's law: throughput = requests in flight / latency.  Unlike
     * counting completions per second, it is not fooled by completions
     * that arrive in bursts (requests started together end together). */
    tput = (double) ctl->window_inflight * G_USEC_PER_SEC / ctl->window_latency_us;
    if (ctl->window_n < window_size(ctl->limit) && !lost_early(ctl, tput))
        return ctl->limit;
    decide(ctl, tput, end_us);
    ctl->window_n = 0;
    ctl->window_latency_us = 0;
    ctl->window_inflight = 0;
    return ctl->limit;
}
