"""After a reload the process gives the heap it freed back to the operating system."""

import platform

import pytest

from index.memory import release_free_memory


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only"
)
def test_freed_heap_is_returned_to_the_os_on_glibc():
    def rss_kb() -> int:
        status = open("/proc/self/status").read()
        return int(status.split("VmRSS:")[1].split()[0])

    blocks = [bytearray(1000) for _ in range(200_000)]  # ~200 MB of heap blocks
    last = blocks[-1]  # still in use at the top of the heap, as after a reload
    del blocks  # freed, but below the top: glibc keeps them without a trim
    before = rss_kb()
    assert release_free_memory()
    assert rss_kb() < before - 100_000 and last
