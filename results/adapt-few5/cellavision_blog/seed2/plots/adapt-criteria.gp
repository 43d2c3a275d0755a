set terminal pngcairo size 900,500 noenhanced
set output 'adapt-criteria.png'
set title "mdd: source → target"
set xlabel "epoch"
set ylabel "target SND"
set key below
set grid
set y2label "entropy, IM, DEV"
set y2tics
set ytics nomirror
set xtics 1
set format x '%.0f'
plot 'adapt-criteria.dat' index 0 axes x1y1 with linespoints title "target SND", \
     'adapt-criteria.dat' index 1 axes x1y2 with linespoints title "target entropy" dt 2, \
     'adapt-criteria.dat' index 2 axes x1y2 with linespoints title "target IM" dt 2, \
     'adapt-criteria.dat' index 3 axes x1y2 with linespoints title "DEV" dt 2
