"""Hardware-abstraction layer: the device contract (Driver, Device, Buffer, Queue, Semaphore, Executable) and the target registry (issue #4)."""
