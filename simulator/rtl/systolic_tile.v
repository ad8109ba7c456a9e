// The reference ASIC's matrix unit: an N x N weight-stationary int8 x int8 -> int32 systolic tile.
//
// PE(k, j) holds weight w[k][j]. Activation a[r][k] enters row k skewed by k cycles and moves
// right one PE per cycle; partial sums move down one PE per cycle, so column j computes
//   out[r][j] = sum over k = 0..N-1 of a[r][k] * w[k][j]   (k order, int32 wrap-around)
// exactly as byteir_sim.functional.systolic_tile does. Column j's sums are delayed N-1-j cycles
// so a result row leaves whole. Latency: the first activation handshake to the last result
// handshake spans rows + 2N - 1 cycles, both counted (the simulator's MM_COMPUTE formula).
//
// Streams (valid/ready; a beat transfers when both are high at a rising edge):
//   w: N beats, beat k = weight row k (element j in bits [8j+7:8j]); accepted only while no
//      activation is in flight, and a started weight load blocks activations until complete.
//   a: one activation row per beat (element k in bits [8k+7:8k]); a_last marks a tile's last row.
//   r: one result row per beat (element j in bits [32j+31:32j]); r_last follows a_last.
// Back-pressure on r stalls the whole array (one enable), so no row is dropped or reordered.
module systolic_tile #(
    parameter integer N = 16
) (
    input  wire             clk,
    input  wire             rst_n,
    input  wire             w_valid,
    output wire             w_ready,
    input  wire [8*N-1:0]   w_data,
    input  wire             a_valid,
    output wire             a_ready,
    input  wire [8*N-1:0]   a_data,
    input  wire             a_last,
    output wire             r_valid,
    input  wire             r_ready,
    output wire [32*N-1:0]  r_data,
    output wire             r_last
);
    localparam integer DEPTH = 2 * N - 1;  // pipeline stages from activation to result
    localparam integer WB = $clog2(N + 1);

    // ---- control: one enable for the whole pipeline -------------------------------------
    reg  [DEPTH-1:0] vld;
    reg  [DEPTH-1:0] lst;
    reg  [WB-1:0]    w_row;  // weight rows loaded so far in the current load
    wire advance = !vld[DEPTH-1] || r_ready;
    wire busy = |vld;
    assign w_ready = !busy;
    assign a_ready = advance && (w_row == 0) && !w_valid;
    wire a_fire = a_valid && a_ready;
    wire w_fire = w_valid && w_ready;
    assign r_valid = vld[DEPTH-1];
    assign r_last = lst[DEPTH-1];

    always @(posedge clk) begin
        if (!rst_n) begin
            vld <= {DEPTH{1'b0}};
            lst <= {DEPTH{1'b0}};
            w_row <= {WB{1'b0}};
        end else begin
            if (advance) begin
                vld <= {vld[DEPTH-2:0], a_fire};
                lst <= {lst[DEPTH-2:0], a_fire && a_last};
            end
            if (w_fire) w_row <= (w_row == WB'(N - 1)) ? {WB{1'b0}} : w_row + 1'b1;
        end
    end

    // ---- weights -------------------------------------------------------------------------
    reg [7:0] weight [0:N*N-1];  // weight[k*N + j] = w[k][j]
    integer wi;
    always @(posedge clk) begin
        if (w_fire) begin
            for (wi = 0; wi < N; wi = wi + 1) weight[32'(w_row) * N + wi] <= w_data[8*wi +: 8];
        end
    end

    // ---- input skew, PE grid, output deskew ----------------------------------------------
    wire [8*N-1:0]    a_in = a_fire ? a_data : {8*N{1'b0}};
    wire [8*N-1:0]    skewed;       // row k's activation as it enters PE(k, 0)
    wire [8*N*N-1:0]  a_bus;        // PE(k, j)'s activation register, at [8*(k*N+j) +: 8]
    wire [32*N*N-1:0] p_bus;        // PE(k, j)'s partial sum register, at [32*(k*N+j) +: 32]

    genvar k, j;
    generate
        for (k = 0; k < N; k = k + 1) begin : g_skew
            if (k == 0) begin : g_direct
                assign skewed[7:0] = a_in[7:0];
            end else begin : g_line
                reg [7:0] line [0:k-1];
                integer s;
                always @(posedge clk) begin
                    if (advance) begin
                        line[0] <= a_in[8*k +: 8];
                        for (s = 1; s < k; s = s + 1) line[s] <= line[s-1];
                    end
                end
                assign skewed[8*k +: 8] = line[k-1];
            end
        end

        for (k = 0; k < N; k = k + 1) begin : g_row
            for (j = 0; j < N; j = j + 1) begin : g_pe
                wire signed [7:0]  act = (j == 0) ? skewed[8*k +: 8] : a_bus[8*(k*N+j-1) +: 8];
                wire signed [31:0] sum_in = (k == 0) ? 32'sd0 : p_bus[32*((k-1)*N+j) +: 32];
                wire signed [7:0]  wgt = weight[k*N+j];
                wire signed [15:0] prod = act * wgt;
                reg  [7:0]  a_q;
                reg  [31:0] p_q;
                always @(posedge clk) begin
                    if (advance) begin
                        a_q <= act;
                        p_q <= sum_in + {{16{prod[15]}}, prod};
                    end
                end
                assign a_bus[8*(k*N+j) +: 8] = a_q;
                assign p_bus[32*(k*N+j) +: 32] = p_q;
            end
        end

        for (j = 0; j < N; j = j + 1) begin : g_deskew
            wire [31:0] bottom = p_bus[32*((N-1)*N+j) +: 32];
            if (j == N - 1) begin : g_direct
                assign r_data[32*j +: 32] = bottom;
            end else begin : g_line
                reg [31:0] line [0:N-2-j];
                integer s;
                always @(posedge clk) begin
                    if (advance) begin
                        line[0] <= bottom;
                        for (s = 1; s < N - 1 - j; s = s + 1) line[s] <= line[s-1];
                    end
                end
                assign r_data[32*j +: 32] = line[N-2-j];
            end
        end
    endgenerate
endmodule
