/* event-loop.h: libvirt's default event loop, run in one thread per
 * process; keepalive, close callbacks and domain events need it. */
#pragma once

void vstats_event_loop_ensure(void);
