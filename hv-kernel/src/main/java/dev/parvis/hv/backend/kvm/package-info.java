/**
 * The KVM processor backend (ARCHITECTURE.md section 3; ../shared/reference/kvm-notes.md): ioctls on
 * /dev/kvm through java.lang.foreign, one VM and vCPU per VP, the backend's own page tables, GDT,
 * IDT and hypercall page, guests deprivileged to CPL 3 where KVM is PVM.
 */
package dev.parvis.hv.backend.kvm;
