// C entry points over the Verilated systolic tile, for mixed-fidelity simulation
// (byteir_sim.rtl.cosim loads this as a shared library through ctypes).
// N is the Verilated model's parameter; the host passes it back to check it matches.
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "Vsystolic_tile.h"
#include "verilated.h"

namespace {

template <typename T>
void put(T& port, const void* src, std::size_t nbytes) {
    if constexpr (std::is_integral_v<T>) {
        port = 0;
        std::memcpy(&port, src, nbytes);
    } else {  // VlWide: little-endian 32-bit words
        std::memset(port.data(), 0, sizeof(port));
        std::memcpy(port.data(), src, nbytes);
    }
}

template <typename T>
void get(const T& port, void* dst, std::size_t nbytes) {
    if constexpr (std::is_integral_v<T>) {
        std::memcpy(dst, &port, nbytes);
    } else {
        std::memcpy(dst, port.data(), nbytes);
    }
}

struct Tile {
    VerilatedContext context;
    Vsystolic_tile model{&context};
};

void tick(Tile* t) {
    t->model.clk = 0;
    t->model.eval();
    t->model.clk = 1;
    t->model.eval();
}

}  // namespace

extern "C" {

void* tile_open() {
    auto* t = new Tile;
    t->model.rst_n = 0;
    t->model.w_valid = 0;
    t->model.a_valid = 0;
    t->model.r_ready = 1;
    tick(t);
    tick(t);
    t->model.rst_n = 1;
    t->model.eval();
    return t;
}

void tile_close(void* handle) { delete static_cast<Tile*>(handle); }

// out[rows x n] = acts[rows x n] @ weights[n x n] through the RTL; returns the cycles from the
// first activation handshake to the last result handshake (both counted), or -1 on a protocol error.
long long tile_run(void* handle, int n, const int8_t* acts, int rows, const int8_t* weights, int32_t* out) {
    auto* t = static_cast<Tile*>(handle);
    auto& m = t->model;
    for (int k = 0; k < n;) {  // weights, one row per beat
        put(m.w_data, weights + k * n, n);
        m.w_valid = 1;
        m.eval();
        const bool fire = m.w_ready;
        tick(t);
        if (fire) ++k;
    }
    m.w_valid = 0;
    long long cycle = 0, first = -1, last = -1;
    int sent = 0, received = 0;
    while (received < rows) {
        if (cycle > 16LL * (rows + 4 * n) + 1000) return -1;  // the RTL stopped making progress
        m.a_valid = sent < rows;
        if (sent < rows) put(m.a_data, acts + static_cast<long long>(sent) * n, n);
        m.a_last = sent == rows - 1;
        m.r_ready = 1;
        m.eval();
        const bool a_fire = m.a_valid && m.a_ready;
        if (m.r_valid) {
            get(m.r_data, out + static_cast<long long>(received) * n, 4 * n);
            ++received;
            last = cycle;
        }
        if (a_fire) {
            if (first < 0) first = cycle;
            ++sent;
        }
        tick(t);
        ++cycle;
    }
    m.a_valid = 0;
    m.eval();
    return last - first + 1;
}
}
