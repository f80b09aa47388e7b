# bench/plot.gp: deliveries/s and p99 latency against the number of
# clients N, one line per server and sender count (closed loop);
# ngircd dashed.
# usage: gnuplot -e "dir='DIR'; out='server.png'; servers='chat-server ngircd'" bench/plot.gp
# DIR holds SERVER-sS.dat files of "N deliveries_per_s p99_ms" (bench/report).

set terminal pngcairo size 1200,480 noenhanced font "sans,10"
set output out
set multiplot layout 1,2 title "chat-bench: 64-byte messages, window 16, server on core 0, generator on core 1"
set logscale x
set xrange [5:2000]
set xtics ("10" 10, "100" 100, "1000" 1000)
set xlabel "clients (N)"
set grid
set key top left
set format y "%.1s%c"
file(s, k) = sprintf("%s/%s-s%d.dat", dir, s, k)
name(s, k) = sprintf("%s, %d sender%s", s, k, k == 1 ? "" : "s")
dash(s) = s eq "ngircd" ? 2 : 1

set title "deliveries per second (higher is better)"
set ylabel "deliveries/s"
set yrange [0:*]
plot for [s in servers] for [k in "1 10"] file(s, k + 0) using 1:2 \
    with linespoints lw 2 pt (k eq "1" ? 7 : 5) dashtype dash(s) \
    title name(s, k + 0)

set title "p99 latency (lower is better)"
set ylabel "ms"
set logscale y
set yrange [*:*]
set format y "%g"
plot for [s in servers] for [k in "1 10"] file(s, k + 0) using 1:3 \
    with linespoints lw 2 pt (k eq "1" ? 7 : 5) dashtype dash(s) \
    title name(s, k + 0)
unset multiplot
