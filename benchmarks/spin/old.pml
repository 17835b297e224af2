/*
 * truncate-vs-dio, the design before 28a535f9 (v3.6, page-io.c at 82e54229): design `old`.
 *
 *   spin -a -DN=3 old.pml && gcc -O2 -DSAFETY -DNOCLAIM -o pan pan.c && ./pan        (safety: ok)
 *   spin -a -DN=3 old.pml && gcc -O2 -o pan pan.c && ./pan -a -f -N live            (liveness: fails)
 *
 * Each completion adds its io_end to the inode's list and queues that io_end's own work item. The
 * worker converts only if mutex_trylock(i_mutex) succeeds; if it fails, it sets QUEUED, requeues
 * itself and (from the second round on) yields, staying runnable. Truncate holds i_mutex while it
 * waits for i_dio_count == 0, which happens only after every conversion: under weak fairness the
 * worker can loop forever and truncate never returns (a livelock, not a deadlock: no state is stuck,
 * so the safety run finds nothing). The old flush (fsync.c) pops one io_end at a time under IN_FSYNC
 * and never frees; truncate calls it after inode_dio_wait.
 * The comment on each d_step names the step of docs/steps.md it stands for.
 */

#include "common.pml"

/* ext4_end_io_nolock (v3.6): convert, clear UNWRITTEN (under i_mutex only), aio_complete,
 * inode_dio_done, i_unwritten-- ; five steps, as in the model */
inline end_io_nolock(io) {
  d_step {                                                                /* eio.convert */
    assert(!freed[io]); assert(flags[io] & UNWRITTEN);    /* converts-only-unwritten (BUG_ON) */
    do_convert(io); after_step() }
  d_step { clear_unwritten(io); after_step() }                            /* eio.clear */
  d_step { do_aio(io); after_step() }                                     /* eio.aio */
  d_step { do_dio_done(io); after_step() }                                /* eio.dio_done (DIRECT) */
  d_step { do_unwritten(io); after_step() }                               /* eio.unwritten */
}

/* ext4_end_io_dio (v3.6) for io_ends 0..N-1 in order: add to the list, queue the io_end's own work */
active proctype dio() {
  byte k = 0;
end_dio:                        /* finished when k == N (add.lock is always executable before) */
  do
  :: d_step { k < N -> assert(!freed[k]); spin_lock(DIO); after_step() }              /* add.lock */
     d_step { sp_holder == DIO -> list_add_tail(k, INODE); added[k] = 1; after_step() } /* add.add */
     d_step { spin_unlock(DIO); after_step() }                                          /* add.unlock */
     d_step { queue_work(k); k++; dio_fin = (k == N); after_step() }                    /* add.queue; dio.next */
  od
}

/* do_truncate / ext4_setattr: i_mutex, inode_dio_wait, the old flush, ext4_truncate */
active proctype truncate() {
  byte io = NONE;
  d_step { mutex_lock(TRN); after_step() }                                /* tr.lock */
  do
  :: d_step { mx_awake(TRN) -> mutex_retry(TRN); after_step() }           /* mx.retry */
  :: d_step { mx_holder == TRN && dio_count == 0 -> after_step() }; break /* tr.dio_wait */
  od;
  if :: d_step { spin_lock(TRN); after_step() } fi;                       /* of.lock */
  do
  :: d_step {                                                             /* of.pop: empty, return */
       sp_holder == TRN && lst[INODE].n == 0 -> spin_unlock(TRN); io = NONE; after_step() }; break
  :: d_step {                                                             /* of.pop */
       sp_holder == TRN && lst[INODE].n > 0 -> io = lst[INODE].e[0]; list_del_init(io); after_step() }
     d_step { assert(!freed[io]); flags[io] = flags[io] | IN_FSYNC; after_step() }     /* of.set */
     d_step { spin_unlock(TRN); after_step() }                            /* of.unlock */
     end_io_nolock(io);
     d_step { spin_lock(TRN); after_step() }                              /* of.relock */
     d_step {                                                             /* of.clear */
       sp_holder == TRN -> assert(!freed[io]); flags[io] = flags[io] & ~IN_FSYNC; after_step() }
  od;
  if :: d_step { after_step() } fi;                                       /* tr.blocks */
  d_step { mutex_unlock(TRN); tr_done = 1; after_step() }                 /* tr.unlock */
}

/* the dio_unwritten_wq worker: process_one_work, then the v3.6 ext4_end_io_work(io) */
active proctype worker() {
  byte wio = NONE, io = NONE;
  bit was_queued;
end_idle:                       /* idle with no pending work item: finished */
  do
  :: d_step { wqn > 0 -> take_work(wio); io = wio; w_idle = 0; after_step() }       /* wq.idle */
     d_step { assert(!freed[wio]); spin_lock(WRK); after_step() }                   /* ow.lock */
     if
     :: d_step {                                                          /* ow.check: IN_FSYNC, requeue */
          sp_holder == WRK && (flags[wio] & IN_FSYNC) ->
          was_queued = ((flags[wio] & QUEUED) != 0); flags[wio] = flags[wio] | QUEUED; after_step() }
        goto rq_unlock
     :: d_step {                                                          /* ow.check: off the list */
          sp_holder == WRK && !(flags[wio] & IN_FSYNC) && where[wio] == NOLIST ->
          spin_unlock(WRK); after_step() }
        goto ow_free
     :: d_step {                                                          /* ow.check: trylock succeeds */
          sp_holder == WRK && !(flags[wio] & IN_FSYNC) && where[wio] != NOLIST && mx_holder == NONE ->
          mx_holder = WRK; after_step() }
        d_step { list_del_init(wio); after_step() }                       /* ow.del */
        d_step { spin_unlock(WRK); io = wio; after_step() }               /* ow.unlock */
        end_io_nolock(io);
        d_step { mutex_unlock(WRK); after_step() }                        /* ow.mutex_unlock */
        goto ow_free
     :: d_step {                                                          /* ow.check: trylock fails */
          sp_holder == WRK && !(flags[wio] & IN_FSYNC) && where[wio] != NOLIST && mx_holder != NONE ->
          after_step() }
        d_step {                                                          /* ow.rq_set */
          assert(!freed[wio]);
          was_queued = ((flags[wio] & QUEUED) != 0); flags[wio] = flags[wio] | QUEUED; after_step() }
        goto rq_unlock
     fi
  od;
rq_unlock:
  if :: d_step { spin_unlock(WRK); after_step() } fi;                     /* ow.rq_unlock */
  if
  :: d_step { was_queued -> queue_work(wio); after_step() }               /* ow.rq_queue */
     d_step {                                                             /* ow.yield; return */
       was_queued = 0; wio = NONE; io = NONE; w_idle = 1; after_step() }
  :: d_step {                                                             /* ow.rq_queue; return */
       !was_queued -> queue_work(wio); wio = NONE; io = NONE; w_idle = 1; after_step() }
  fi;
  goto end_idle;
ow_free:
  if :: d_step {                                                          /* ow.free; return */
       free_io(WRK, wio); wio = NONE; io = NONE; w_idle = 1; after_step() } fi;
  goto end_idle
}
