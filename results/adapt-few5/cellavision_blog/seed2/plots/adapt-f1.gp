set terminal pngcairo size 900,500 noenhanced
set output 'adapt-f1.png'
set title "mdd: source → target"
set xlabel "epoch"
set ylabel "macro F1"
set key below
set grid
set xtics 1
set format x '%.0f'
set yrange [0.0:1.0]
set arrow from 7.0, graph 0 to 7.0, graph 1 nohead dt 3 lc rgb '#888888'
set label "SND" at 7.0, graph 0.97 left offset 0.5,0 font ',9'
set arrow from 15.0, graph 0 to 15.0, graph 1 nohead dt 3 lc rgb '#888888'
set label "entropy" at 15.0, graph 0.92 right offset -0.5,0 font ',9'
set arrow from 13.0, graph 0 to 13.0, graph 1 nohead dt 3 lc rgb '#888888'
set label "IM" at 13.0, graph 0.87 left offset 0.5,0 font ',9'
set arrow from 14.0, graph 0 to 14.0, graph 1 nohead dt 3 lc rgb '#888888'
set label "DEV" at 14.0, graph 0.82 left offset 0.5,0 font ',9'
set arrow from 15.0, graph 0 to 15.0, graph 1 nohead dt 3 lc rgb '#888888'
set label "source F1" at 15.0, graph 0.77 right offset -0.5,0 font ',9'
plot 'adapt-f1.dat' index 0 axes x1y1 with linespoints title "source validation", \
     'adapt-f1.dat' index 1 axes x1y1 with linespoints title "target (reported only)"
