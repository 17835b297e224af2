/*
 * truncate-vs-dio, the design after 28a535f9 (in the 3.7 merge window): design `new` of the Python model.
 *
 *   spin -a -DN=3 new.pml && gcc -O2 -DSAFETY -DNOCLAIM -o pan pan.c && ./pan        (safety)
 *   spin -a -DN=3 new.pml && gcc -O2 -o pan pan.c && ./pan -a -f -N live            (liveness)
 *
 * A completion adds its io_end to the inode's list; only the completion that finds the list empty
 * marks its io_end QUEUED and queues that io_end's work. A drain runs four stages: A takes the whole
 * list under the spinlock, B converts without a lock, C settles the flags under the spinlock (QUEUED
 * decides who frees), D frees. The worker runs the drain with work_io = its own io_end and never
 * touches i_mutex; truncate runs it (work_io none) after inode_dio_wait, holding i_mutex.
 * The comment on each d_step names the step of docs/steps.md it stands for.
 */

#define NEW_FAMILY
#include "common.pml"

/* stage B's loop test (a local): take the next io_end off the private `unwritten` list */
inline b_pick(me, io, more) {
  if
  :: lst[UNW(me)].n > 0 ->
     io = lst[UNW(me)].e[0];
     assert(!freed[io]);
     assert(flags[io] & UNWRITTEN);                       /* converts-only-unwritten (BUG_ON) */
     list_del_init(io); more = 1
  :: else -> more = 0
  fi
}

/* stage C's loop test (a local): the next io_end on the private `complete` list, or none */
inline c_pick(me, io) {
  if
  :: lst[CMP(me)].n > 0 -> io = lst[CMP(me)].e[0]
  :: else -> io = NONE
  fi
}

/* stage D's loop test (a local): unlink the next io_end on `to_free` before it is freed */
inline d_pick(me, io) {
  io = lst[TOF(me)].e[0]; list_del_init(io)
}

/* the work function returns (a local): for the worker, back to process_one_work */
inline flush_return(isw, wio, io) {
  io = NONE;
  if :: isw -> wio = NONE; w_idle = 1 :: else -> skip fi
}

/* ext4_do_flush_completed_IO(inode, work_io); isw: run by the worker (work_io = wio) */
inline flush(me, isw, wio, io, more, cdone) {
  d_step { spin_lock(me); after_step() }                                  /* A.lock */
  d_step {                                                                /* A.splice */
    sp_holder == me ->
    assert(lst[UNW(me)].n == 0);                          /* list-integrity: splice into an empty list */
    i = 0;
    do
    :: i < lst[INODE].n ->
       li = lst[INODE].e[i]; assert(!freed[li]);
       lst[UNW(me)].e[i] = li; where[li] = UNW(me); lst[INODE].e[i] = 0; i++
    :: else -> break
    od;
    lst[UNW(me)].n = lst[INODE].n; lst[INODE].n = 0;
    if :: isw -> w_predrain = 0 :: else -> skip fi;
    after_step()
  }
  d_step { spin_unlock(me); b_pick(me, io, more); after_step() }         /* A.unlock; B.loop */
  do
  :: d_step { more -> do_convert(io); after_step() }                      /* eio.convert */
     d_step { do_aio(io); after_step() }                                  /* eio.aio */
     d_step { do_dio_done(io); after_step() }                             /* eio.dio_done (DIRECT) */
     d_step {                                                             /* eio.unwritten; B.done; B.loop */
       do_unwritten(io); list_add_tail(io, CMP(me)); b_pick(me, io, more); after_step() }
  :: d_step { !more -> spin_lock(me); c_pick(me, io); after_step() }; break   /* C.lock; C.loop */
  od;
  do
  :: d_step {                                                             /* C.clear */
       sp_holder == me && lst[CMP(me)].n > 0 -> clear_unwritten(io); after_step() }
     d_step {                                                             /* C.place; C.loop */
       assert(!freed[io]);
       list_del_init(io);
       if :: !(flags[io] & QUEUED) -> list_add(io, TOF(me)) :: else -> skip fi;     /* list_move */
       c_pick(me, io); after_step() }
  :: d_step {                                                             /* C.own (worker only) */
       sp_holder == me && lst[CMP(me)].n == 0 && isw && !cdone ->
       assert(!freed[wio]); flags[wio] = flags[wio] & ~QUEUED; after_step() }
     d_step {                                                             /* C.own_free (worker only) */
       assert(!freed[wio]);
       if :: !(flags[wio] & UNWRITTEN) -> list_add_tail(wio, TOF(me)) :: else -> skip fi;
       cdone = 1; after_step() }
  :: d_step {                                                             /* C.unlock; D.loop: nothing to free */
       sp_holder == me && lst[CMP(me)].n == 0 && (cdone || !isw) && lst[TOF(me)].n == 0 ->
       spin_unlock(me); cdone = 0; flush_return(isw, wio, io); after_step() }; break
  :: d_step {                                                             /* C.unlock; D.loop */
       sp_holder == me && lst[CMP(me)].n == 0 && (cdone || !isw) && lst[TOF(me)].n > 0 ->
       spin_unlock(me); cdone = 0; d_pick(me, io); after_step() }
     do
     :: d_step { lst[TOF(me)].n > 0 -> free_io(me, io); d_pick(me, io); after_step() }   /* D.free; D.loop */
     :: d_step {                                                          /* D.free; D.loop: done, return */
          lst[TOF(me)].n == 0 -> free_io(me, io); flush_return(isw, wio, io); after_step() }; break
     od;
     break
  od
}

/* ext4_end_io_dio for io_ends 0..N-1 in order: ext4_add_complete_io */
active proctype dio() {
  byte k = 0;
end_dio:                        /* finished when k == N (add.lock is always executable before) */
  do
  :: d_step {                                                             /* add.lock */
       k < N -> assert(!freed[k]); assert(flags[k] & UNWRITTEN);          /* BUG_ON(!UNWRITTEN) */
       spin_lock(DIO); after_step() }
     if
     :: d_step {                                                          /* add.test: list empty */
          sp_holder == DIO && lst[INODE].n == 0 ->
          assert(!freed[k]); flags[k] = flags[k] | QUEUED; after_step() }
        d_step {                                                          /* add.queue */
          is_pending(k); assert(!fnd);                    /* queue-when-list-was-empty: not pending, */
          assert(flags[k] & QUEUED); assert(lst[INODE].n == 0);  /* marked QUEUED, the list empty */
          queue_work(k); after_step() }
        d_step { list_add_tail(k, INODE); added[k] = 1; after_step() }   /* add.add */
     :: d_step {                                                          /* add.test: list not empty */
          sp_holder == DIO && lst[INODE].n > 0 ->
          list_add_tail(k, INODE); added[k] = 1; after_step() }
     fi;
     if
     :: d_step { spin_unlock(DIO); k++; dio_fin = (k == N); after_step() }   /* add.unlock; dio.next */
     fi
  od
}

/* do_truncate / ext4_setattr: i_mutex, inode_dio_wait, the flush, ext4_truncate */
active proctype truncate() {
  byte io = NONE, wio = NONE;   /* wio stays NONE: a flusher has no work_io */
  bit more, cdone;
  d_step { mutex_lock(TRN); after_step() }                                /* tr.lock */
  do
  :: d_step { mx_awake(TRN) -> mutex_retry(TRN); after_step() }           /* mx.retry */
  :: d_step { mx_holder == TRN && dio_count == 0 -> after_step() }; break /* tr.dio_wait */
  od;
  if :: flush(TRN, 0, wio, io, more, cdone) fi;
  if :: d_step { after_step() } fi;                                       /* tr.blocks */
  d_step { mutex_unlock(TRN); tr_done = 1; after_step() }                 /* tr.unlock */
}

/* the dio_unwritten_wq worker: process_one_work, then ext4_end_io_work(io) */
active proctype worker() {
  byte wio = NONE, io = NONE;
  bit more, cdone;
end_idle:                       /* idle with no pending work item: finished */
  do
  :: d_step {                                                             /* wq.idle */
       wqn > 0 -> take_work(wio); io = wio; w_idle = 0; w_predrain = 1; after_step() }
     flush(WRK, 1, wio, io, more, cdone)
  od
}
