#!/usr/bin/python3
"""A FUSE passthrough of a directory whose storage can be frozen, as a dead
NFS server freezes it: while the file FREEZE exists, every operation on
the mount blocks until it is removed.

    frozen-fs.py SOURCE_DIR MOUNTPOINT FREEZE
"""
import errno
import os
import sys
import time

from fusepy import FUSE, FuseOSError, Operations

freeze = None


def gate(func):
    """Every operation first waits while the storage is frozen."""
    def wrapper(self, *args, **kwargs):
        while os.path.exists(freeze):
            time.sleep(0.05)
        return func(self, *args, **kwargs)
    return wrapper


class Passthrough(Operations):
    def __init__(self, root):
        self.root = os.path.realpath(root)

    def _path(self, path):
        return os.path.join(self.root, path.lstrip('/'))

    @gate
    def getattr(self, path, fh=None):
        try:
            st = os.lstat(self._path(path))
        except OSError as e:
            raise FuseOSError(e.errno)
        return {k: getattr(st, k) for k in
                ('st_mode', 'st_nlink', 'st_uid', 'st_gid', 'st_size',
                 'st_atime', 'st_mtime', 'st_ctime', 'st_blocks')}

    @gate
    def readdir(self, path, fh):
        return ['.', '..'] + os.listdir(self._path(path))

    @gate
    def access(self, path, mode):
        if not os.access(self._path(path), mode):
            raise FuseOSError(errno.EACCES)

    @gate
    def statfs(self, path):
        st = os.statvfs(self._path(path))
        return {k: getattr(st, k) for k in
                ('f_bavail', 'f_bfree', 'f_blocks', 'f_bsize', 'f_favail',
                 'f_ffree', 'f_files', 'f_flag', 'f_frsize', 'f_namemax')}

    @gate
    def open(self, path, flags):
        return os.open(self._path(path), flags & ~os.O_DIRECT)

    @gate
    def read(self, path, size, offset, fh):
        return os.pread(fh, size, offset)

    @gate
    def write(self, path, data, offset, fh):
        return os.pwrite(fh, data, offset)

    @gate
    def truncate(self, path, length, fh=None):
        os.truncate(self._path(path), length)

    @gate
    def flush(self, path, fh):
        return 0

    @gate
    def fsync(self, path, datasync, fh):
        os.fsync(fh)
        return 0

    def release(self, path, fh):
        os.close(fh)
        return 0


def main():
    global freeze
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    freeze = os.path.realpath(sys.argv[3])
    FUSE(Passthrough(sys.argv[1]), sys.argv[2], foreground=True,
         nothreads=False, allow_other=True)


if __name__ == '__main__':
    main()
