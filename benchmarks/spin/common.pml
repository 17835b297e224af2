/*
 * Shared part of the Promela models of the truncate-vs-dio scenario (see benchmarks/results_spin.md).
 * Included by old.pml (v3.6, 82e54229) and new.pml (28a535f9, in the 3.7 merge window). Written from the facts in
 * docs/model.md, docs/steps.md and the shared kernel-facts notes, not from kernel source.
 *
 * One STEP of the Python model (docs/steps.md) is one d_step here: one shared-memory action with the
 * tests that guard it, followed by the purely local control flow after it (loop tests, picking the
 * next io_end, operations on a drainer's private lists). The guard of a step (a lock handed over,
 * i_dio_count == 0, a pending work item) is the first statement of its d_step, so a waiting task is
 * simply not executable, as in the model. Branches between steps are `if`/`do` options whose first
 * statement is the next step's d_step, and `goto`/`break` are jumps: neither adds a transition.
 *
 * N, the number of io_ends, is set with spin -DN=...
 */

#ifndef N
#define N 2
#endif

#define NONE 255

/* Task ids = _pid of the active proctypes, in declaration order. The worker is declared last so
 * that it is the youngest process: it never ends, so no process ever "dies" and SPIN adds no
 * death transitions (the Python model has none either). The model numbers them dio 0, worker 1,
 * truncate 2; only the names matter. */
#define DIO 0
#define TRN 1
#define WRK 2

/* io_end flag bits (ext4.h of that time; IN_FSYNC exists only in v3.6) */
#define UNWRITTEN 1
#define QUEUED    4
#define DIRECT    8
#define IN_FSYNC 16

/* Lists an io_end's list link can be on: none, the inode's i_completed_io_list, or one of a
 * drainer's private lists (stages A-D: unwritten, complete, to_free). Drainers: truncate, worker. */
#define NOLIST 0
#define INODE  1
#define UNW(t) (2 + 3 * ((t) - 1))
#define CMP(t) (3 + 3 * ((t) - 1))
#define TOF(t) (4 + 3 * ((t) - 1))
#define NLISTS 8

typedef List { byte e[N]; byte n };
List lst[NLISTS];                 /* lst[0] unused; entries in list order, unused slots 0 */

/* the io_ends: kernel fields ... */
byte flags[N] = 9;                /* UNWRITTEN|DIRECT: AIO direct writes into unwritten extents */
byte where[N];                    /* which list the list link is on (NOLIST when list_empty) */
/* ... and ghost fields the checks need (the Python model keeps the same ones) */
bit conv[N], aio[N], ddone[N], udone[N], freed[N], added[N], cleared[N];
byte freed_by[N] = 255;

/* the inode */
byte dio_count = N;               /* i_dio_count: inode_dio_wait waits for 0 */
byte unwritten = N;               /* i_unwritten */
byte ioend_count = N;             /* i_ioend_count */

/* i_completed_io_lock: a FIFO ticket spinlock (hand-off to the next ticket). i_mutex: a 3.x mutex,
 * no hand-off: mutex_unlock frees it and wakes the first waiter (mx_woken), which stays first on the
 * list until its retry (mx.retry) takes the mutex or finds it taken and sleeps again. */
byte sp_holder = NONE; byte sp_w[2]; byte sp_wn;
byte mx_holder = NONE; byte mx_w[2]; byte mx_wn; bit mx_woken;

/* dio_unwritten_wq: one ordered worker (WQ_UNBOUND, max_active 1); pending items in FIFO order */
byte wq[N]; byte wqn;

/* ghosts for the final check and the LTL goals (each a function of the processes' positions) */
bit dio_fin, tr_done, w_idle = 1, w_predrain;
byte nfreed;

hidden byte i, j, li, fnd;        /* scratch inside one d_step; not part of the state vector */

/* ------------------------------------------------------------------ lists */
inline list_add_tail(k, l) {
  assert(where[k] == NOLIST);                             /* list-integrity */
  lst[l].e[lst[l].n] = k; lst[l].n++; where[k] = l
}

inline list_add(k, l) {                                   /* at the head (list_move = list_del + list_add) */
  assert(where[k] == NOLIST);                             /* list-integrity */
  i = lst[l].n;
  do :: i > 0 -> lst[l].e[i] = lst[l].e[i - 1]; i-- :: else -> break od;
  lst[l].e[0] = k; lst[l].n++; where[k] = l
}

inline list_del_init(k) {                                 /* unlink; a no-op when unlinked */
  if
  :: where[k] != NOLIST ->
     li = where[k]; i = 0;
     do :: lst[li].e[i] == k -> break :: else -> i++ od;
     do :: i + 1 < lst[li].n -> lst[li].e[i] = lst[li].e[i + 1]; i++ :: else -> break od;
     lst[li].n--; lst[li].e[lst[li].n] = 0; where[k] = NOLIST
  :: else -> skip
  fi
}

/* ------------------------------------------------------------------ locks */
inline spin_lock(me) {                                    /* taken, or queued behind the holder */
  assert(sp_holder != me);                                /* lock-usage */
  if
  :: sp_holder == NONE -> sp_holder = me
  :: else -> sp_w[sp_wn] = me; sp_wn++
  fi
}

inline spin_unlock(me) {                                  /* hand over to the first waiter */
  assert(sp_holder == me);                                /* lock-usage */
  if
  :: sp_wn > 0 -> sp_holder = sp_w[0]; sp_w[0] = sp_w[1]; sp_w[1] = 0; sp_wn--
  :: else -> sp_holder = NONE
  fi
}

inline mutex_lock(me) {                                   /* taken if free, else asleep on the list */
  assert(mx_holder != me);                                /* lock-usage */
  if
  :: mx_holder == NONE -> mx_holder = me
  :: else -> mx_w[mx_wn] = me; mx_wn++
  fi
}

inline mutex_unlock(me) {                                 /* free it; wake the first waiter */
  assert(mx_holder == me);                                /* lock-usage */
  mx_holder = NONE;
  mx_woken = (mx_wn > 0)
}

/* the woken first waiter tries again: take the mutex and leave the list, or sleep again */
#define mx_awake(me) (mx_wn > 0 && mx_w[0] == me && mx_woken)
inline mutex_retry(me) {
  assert(mx_awake(me));                                   /* lock-usage */
  mx_woken = 0;
  if
  :: mx_holder == NONE -> mx_holder = me; mx_w[0] = mx_w[1]; mx_w[1] = 0; mx_wn--
  :: else -> skip
  fi
}

/* ------------------------------------------------------------------ workqueue */
inline is_pending(k) {                                    /* sets fnd */
  fnd = 0; i = 0;
  do
  :: i < wqn -> if :: wq[i] == k -> fnd = 1 :: else -> skip fi; i++
  :: else -> break
  od
}

inline queue_work(k) {                                    /* a no-op if already pending */
  assert(!freed[k]);                                      /* no-use-after-free */
  is_pending(k);
  if :: !fnd -> wq[wqn] = k; wqn++ :: else -> skip fi
}

inline take_work(k) {                                     /* process_one_work: dequeue, clear pending */
  k = wq[0]; i = 0;
  do :: i + 1 < wqn -> wq[i] = wq[i + 1]; i++ :: else -> break od;
  wqn--; wq[wqn] = 0;
  assert(!freed[k])                                       /* no-use-after-free */
}

/* ------------------------------------------------------------------ ext4_end_io's actions */
inline do_convert(k) {
  assert(!freed[k]);                                      /* no-use-after-free */
  assert(!conv[k]);                                       /* converted-once */
  conv[k] = 1
}
inline do_aio(k)       { assert(!freed[k]); assert(!aio[k]); aio[k] = 1 }          /* aio-completed-once */
inline do_dio_done(k)  { assert(!freed[k]); assert(!ddone[k]); ddone[k] = 1; dio_count-- }  /* dio-done-once */
inline do_unwritten(k) { assert(!freed[k]); assert(!udone[k]); udone[k] = 1; unwritten-- }  /* unwritten-dec-once */

inline clear_unwritten(k) {
  assert(!freed[k]);
  if :: flags[k] & UNWRITTEN -> cleared[k] = 1 :: else -> skip fi;
  flags[k] = flags[k] & ~UNWRITTEN
}

/* ------------------------------------------------------------------ ext4_free_io_end */
inline free_io(me, k) {
  assert(!freed[k]);                                      /* freed-once (no double free) */
  assert(where[k] == NOLIST);                             /* not-freed-while-listed */
  assert(!(flags[k] & UNWRITTEN));                        /* not-freed-while-unwritten */
  is_pending(k); assert(!fnd);                            /* not-freed-while-pending */
#ifdef NEW_FAMILY
  assert(!(flags[k] & QUEUED));                           /* not-freed-while-queued */
#endif
  assert(ioend_count > 0);                                /* ioend-count */
  freed[k] = 1; freed_by[k] = me; ioend_count--; nfreed++
}

/* ------------------------------------------------------------------ after every step */
/* The model's state checks, and nothing-lost once every task has finished (the worker has
 * finished when it is idle with no pending work). */
inline after_step() {
  j = 0;
  do
  :: j < N ->
     assert(where[j] != INODE || (flags[j] & UNWRITTEN));                /* inode-list-unwritten */
     assert((flags[j] & UNWRITTEN) || conv[j] || freed[j]);              /* unwritten-cleared-after-conversion */
     assert(!(flags[j] & UNWRITTEN) || !cleared[j]);                     /* ... and never set again */
     j++
  :: else -> break
  od;
#ifdef NEW_FAMILY
  assert(lst[INODE].n == 0 || wqn > 0 || w_predrain);                    /* nonempty-list-has-worker */
#endif
  if
  :: dio_fin && tr_done && w_idle && wqn == 0 ->                         /* nothing-lost */
     j = 0;
     do
     :: j < N -> assert(conv[j] && aio[j] && ddone[j] && udone[j] && freed[j]); j++
     :: else -> break
     od;
     assert(lst[INODE].n == 0 && dio_count == 0 && unwritten == 0 && ioend_count == 0);
     assert(sp_holder == NONE && mx_holder == NONE)
  :: else -> skip
  fi
}

/* The liveness goals of the explorer's `liveness` property: truncate returns and every io_end is
 * freed (monotone, so <>(a && b) is <>a && <>b); and truncate returning alone. Check with
 * weak fairness: pan -a -f -N live. */
ltl live    { <> (tr_done && nfreed == N) }
ltl returns { <> tr_done }
