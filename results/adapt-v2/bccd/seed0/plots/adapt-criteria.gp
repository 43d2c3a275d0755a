set terminal pngcairo size 900,500 noenhanced
set output 'adapt-criteria.png'
set title "mdd: pbc_barcelona → bccd"
set xlabel "epoch"
set ylabel "value"
set key outside right
set grid
plot 'adapt-criteria.dat' index 0 with linespoints title "target SND", \
     'adapt-criteria.dat' index 1 with linespoints title "target entropy"
