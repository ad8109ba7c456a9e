// One lane of the reference ASIC's vector unit: int32 add / max / relu and the int32 -> int8
// requantisation of VECTOR_QUANT, as byteir_sim.functional.vector_op / requantize compute them:
//   add:     a + b (int32, wraps)           max: max(a, b)        relu: max(a, 0)
//   requant: saturate(round_half_even(a * scale / 2^shift) + zero_point) to [-128, 127]
//            (scale unsigned 16 bits, shift 0..63, zero_point int8); the int8 result is
//            sign-extended into out_data.
// Four pipeline stages (the simulator's vector_pipeline_depth): operands, product / ALU result,
// rounding, zero point + saturation. Latency: the first input handshake to the last output
// handshake spans length + 4 cycles, both counted (ceil(length / lanes) + depth for one lane).
// Back-pressure on out stalls every stage (one enable).
module vector_lane (
    input  wire        clk,
    input  wire        rst_n,
    input  wire        in_valid,
    output wire        in_ready,
    input  wire [1:0]  op,          // 0 add, 1 max, 2 relu, 3 requant
    input  wire [31:0] a,
    input  wire [31:0] b,
    input  wire [15:0] scale,
    input  wire [5:0]  shift,
    input  wire [7:0]  zero_point,
    output wire        out_valid,
    input  wire        out_ready,
    output wire [31:0] out_data
);
    localparam [1:0] OP_ADD = 2'd0, OP_MAX = 2'd1, OP_RELU = 2'd2, OP_REQUANT = 2'd3;
    localparam signed [63:0] SAT_HI = 64'sd127, SAT_LO = -64'sd128;

    reg  [3:0] vld;
    wire advance = !vld[3] || out_ready;
    assign in_ready = advance;
    assign out_valid = vld[3];
    wire in_fire = in_valid && in_ready;

    always @(posedge clk) begin
        if (!rst_n) vld <= 4'b0;
        else if (advance) vld <= {vld[2:0], in_fire};
    end

    // stage 1: operands
    reg [1:0]  op1;
    reg [31:0] a1, b1;
    reg [15:0] scale1;
    reg [5:0]  shift1;
    reg [7:0]  zp1;
    // stage 2: ALU result, or the requantisation product
    reg [1:0]  op2;
    reg [31:0] alu2;
    reg signed [63:0] prod2;
    reg [5:0]  shift2;
    reg [7:0]  zp2;
    // stage 3: rounded quotient
    reg [1:0]  op3;
    reg [31:0] alu3;
    reg signed [63:0] q3;
    reg [7:0]  zp3;
    // stage 4: the output
    reg [31:0] out4;

    wire signed [31:0] sa1 = a1, sb1 = b1;
    wire signed [63:0] q2 = prod2 >>> shift2;
    wire [63:0] low_mask = (64'd1 << shift2) - 64'd1;
    wire [63:0] rem2 = prod2 & low_mask;
    wire [63:0] half2 = (shift2 == 6'd0) ? 64'd0 : (64'd1 << (shift2 - 6'd1));
    wire round_up = (shift2 != 6'd0) && ((rem2 > half2) || ((rem2 == half2) && q2[0]));
    wire signed [63:0] biased3 = q3 + {{56{zp3[7]}}, zp3};
    wire [7:0] sat3 = (biased3 > SAT_HI) ? 8'h7f : (biased3 < SAT_LO) ? 8'h80 : biased3[7:0];

    always @(posedge clk) begin
        if (advance) begin
            op1 <= op; a1 <= a; b1 <= b; scale1 <= scale; shift1 <= shift; zp1 <= zero_point;

            op2 <= op1; shift2 <= shift1; zp2 <= zp1;
            prod2 <= {{32{a1[31]}}, a1} * {48'd0, scale1};
            case (op1)
                OP_ADD:  alu2 <= a1 + b1;
                OP_MAX:  alu2 <= (sa1 > sb1) ? a1 : b1;
                OP_RELU: alu2 <= sa1[31] ? 32'd0 : a1;
                default: alu2 <= 32'd0;
            endcase

            op3 <= op2; alu3 <= alu2; zp3 <= zp2;
            q3 <= q2 + {63'd0, round_up};

            out4 <= (op3 == OP_REQUANT) ? {{24{sat3[7]}}, sat3} : alu3;
        end
    end
    assign out_data = out4;
endmodule
