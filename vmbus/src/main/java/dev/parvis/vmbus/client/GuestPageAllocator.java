package dev.parvis.vmbus.client;

/** Where the client gets guest pages for rings and buffers. */
public interface GuestPageAllocator {

    GuestPages allocate(int pageCount);
}
