"""The kernel objects of the model: io_end, the inode's completion state, locks and the workqueue.

Everything here is plain, mutable, standard-library Python. Each object offers ``snapshot()``
(an immutable, hashable tuple) so that the explorer, the widgets and the tests read one form.
"""
